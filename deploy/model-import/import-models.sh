#!/bin/sh
# Imports each model of $PTUNING_MODELS into $PTUNING_MODEL_CACHE/<model> unless it is there already, so the
# step can run before every start (compose service, Kubernetes init container). An import is atomic: a folder
# that exists is complete. Two concurrent runs may race on a model; the loser exits non-zero and a retry skips it.
set -eu
cache="${PTUNING_MODEL_CACHE:-/models}"
mkdir -p "$cache"
for model in ${PTUNING_MODELS:-all-minilm-l6-v2}; do
  if [ -d "$cache/$model" ]; then
    echo "model $model: already in $cache"
  else
    echo "model $model: importing into $cache/$model"
    java -cp '/deployments/lib/*' io.ptuning.weights.cache.ImportModelCommand "$model" "$cache/$model"
  fi
done
