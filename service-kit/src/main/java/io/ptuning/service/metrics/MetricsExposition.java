package io.ptuning.service.metrics;

import io.micrometer.core.instrument.config.MeterFilter;
import io.ptuning.contract.metrics.MetricsLint;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/**
 * {@code /q/metrics} as Prometheus' tools read it: the meters pass {@code promtool check metrics} ({@link MetricsLint}),
 * and a client that does not ask for OpenMetrics gets the Prometheus text format. Quarkus answers such a client
 * ({@code curl}, whose Accept is any type) with OpenMetrics, whose escaped quotes in HELP text
 * ({@code system_cpu_usage}) the text-format parser of promtool rejects; Prometheus itself asks for either.
 */
@ApplicationScoped
public class MetricsExposition {

    @Produces
    @Singleton
    MeterFilter lint() {
        return new MetricsLint();
    }

    void textFormatUnlessOpenMetricsIsAsked(@Observes Router router) {
        router.route("/q/metrics").order(-10_000).handler(context -> {
            String accept = context.request().getHeader(HttpHeaders.ACCEPT);
            if (accept == null || !accept.contains("application/openmetrics-text")) {
                context.request().headers().set(HttpHeaders.ACCEPT, "text/plain; version=0.0.4");
            }
            context.next();
        });
    }
}
