package io.ptuning.evaluator.predict;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ptuning.evaluator.predict.PredictResource.PredictRequest;
import jakarta.validation.Validation;
import jakarta.validation.Validator;
import java.io.CharConversionException;
import java.io.IOException;
import org.hibernate.validator.HibernateValidator;
import org.hibernate.validator.messageinterpolation.ParameterMessageInterpolator;

/**
 * The body of {@code POST /api/predict}, fed arbitrary bytes, read the way Quarkus REST reads it before
 * {@link PredictResource#predict} runs: Jackson (unknown properties ignored, Quarkus' default) into a
 * {@link PredictRequest}, then Bean Validation of its constraints. The documented outcomes are a request that
 * passes, a {@link JsonProcessingException} or {@link CharConversionException} (400) or constraint violations (400); anything thrown besides is a bug
 * (a 500). Seeds and findings: {@code src/test/resources/io/ptuning/evaluator/predict/PredictRequestFuzzTestInputs/}.
 */
class PredictRequestFuzzTest {

    private static final ObjectMapper JSON = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
    private static final Validator VALIDATOR = Validation.byProvider(HibernateValidator.class).configure()
            .messageInterpolator(new ParameterMessageInterpolator()).buildValidatorFactory().getValidator();

    @FuzzTest
    void predictBody(byte[] body) throws IOException {
        PredictRequest request;
        try {
            request = JSON.readValue(body, PredictRequest.class);
        } catch (JsonProcessingException | CharConversionException expected) {
            // Quarkus REST answers 400; CharConversionException (an encoding Jackson guessed from zero bytes) by
            // PredictResource#bodyNotUtf8.
            return;
        }
        if (request == null || !VALIDATOR.validate(request).isEmpty()) {
            return;
        }
        // What predict relies on once validation passed.
        for (String sentence : request.sentences()) {
            if (sentence == null || sentence.length() > PredictResource.MAX_SENTENCE_CHARS) {
                throw new AssertionError("validation let through " + request);
            }
        }
        if (request.sentences().isEmpty() || request.sentences().size() > PredictResource.MAX_SENTENCES) {
            throw new AssertionError("validation let through " + request.sentences().size() + " sentences");
        }
    }
}
