package io.ptuning.bert;

import ai.djl.ndarray.NDManager;
import io.ptuning.weights.ModelFolder;
import io.ptuning.weights.tokenizer.BertTokenizer;

/**
 * A frozen base model loaded once: its folder, its encoder on one device, and (on first use) its tokenizer. Every run
 * and every scoring on it shares the encoder; nothing writes to it.
 */
public final class BaseModel implements AutoCloseable {

    private final String name;
    private final ModelFolder folder;
    private final BertEncoder encoder;
    private final NDManager manager;
    private BertTokenizer tokenizer;

    BaseModel(String name, ModelFolder folder, BertEncoder encoder, NDManager manager) {
        this.name = name;
        this.folder = folder;
        this.encoder = encoder;
        this.manager = manager;
    }

    public String name() {
        return name;
    }

    public ModelFolder folder() {
        return folder;
    }

    public BertEncoder encoder() {
        return encoder;
    }

    /** The manager the encoder's tensors live in; runs and scorings open sub-managers of it. */
    public NDManager manager() {
        return manager;
    }

    /** The weights' fingerprint, which checkpoints trained on them carry. */
    public String fingerprint() {
        return encoder.weights().fingerprint();
    }

    /**
     * The model folder's own tokenizer.json at {@code maxLength}, as the tokenizer-service runs it; its
     * {@link BertTokenizer#fingerprint()} is what batches made with it carry.
     */
    public synchronized BertTokenizer tokenizer(int maxLength) {
        if (tokenizer == null || tokenizer.maxLength() != maxLength) {
            if (tokenizer != null) {
                tokenizer.close();
            }
            tokenizer = BertTokenizer.load(folder.path(), maxLength);
        }
        return tokenizer;
    }

    @Override
    public synchronized void close() {
        if (tokenizer != null) {
            tokenizer.close();
        }
        manager.close();
    }
}
