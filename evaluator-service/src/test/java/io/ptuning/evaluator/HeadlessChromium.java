package io.ptuning.evaluator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * Debian's headless {@code chromium}, driven over the DevTools protocol with the JDK's WebSocket client: no
 * WebDriver, no extra dependency. The page keeps running (an EventSource stays open), so the test can publish
 * metrics while the page is open and watch the DOM change.
 */
final class HeadlessChromium implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Process process;
    private final Path userData;
    private final WebSocket socket;
    private final AtomicInteger ids = new AtomicInteger();
    private final Map<Integer, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();
    private final java.util.concurrent.ExecutorService answers = java.util.concurrent.Executors.newSingleThreadExecutor();
    private volatile java.util.function.Function<String, Optional<String>> intercepted;

    private HeadlessChromium(Process process, Path userData, WebSocket socket) {
        this.process = process;
        this.userData = userData;
        this.socket = socket;
    }

    /** The chromium binary on the PATH, if any. */
    static Optional<Path> binary() {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(":")) {
            for (String name : List.of("chromium", "chromium-browser", "google-chrome")) {
                Path candidate = Path.of(dir, name);
                if (Files.isExecutable(candidate)) {
                    return Optional.of(candidate);
                }
            }
        }
        return Optional.empty();
    }

    static HeadlessChromium start(Path binary, int width, int height) throws Exception {
        Path userData = Files.createTempDirectory("chromium-profile-");
        Process process = new ProcessBuilder(binary.toString(), "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
                "--disable-dev-shm-usage", "--remote-debugging-port=0", "--remote-allow-origins=*",
                "--user-data-dir=" + userData, "--window-size=" + width + "," + height, "about:blank")
                .redirectErrorStream(true)
                .redirectOutput(userData.resolve("chromium.log").toFile())
                .start();
        Path portFile = userData.resolve("DevToolsActivePort");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!Files.exists(portFile) || Files.readAllLines(portFile).size() < 2) {
            if (System.nanoTime() > deadline || !process.isAlive()) {
                process.destroyForcibly();
                throw new IllegalStateException("chromium did not open its DevTools port; log: "
                        + Files.readString(userData.resolve("chromium.log")));
            }
            Thread.sleep(100);
        }
        int port = Integer.parseInt(Files.readAllLines(portFile).get(0).trim());
        HttpClient http = HttpClient.newHttpClient();
        String targets = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/json/list")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        String pageSocket = null;
        for (JsonNode target : JSON.readTree(targets)) {
            if ("page".equals(target.path("type").asText())) {
                pageSocket = target.path("webSocketDebuggerUrl").asText();
            }
        }
        if (pageSocket == null) {
            throw new IllegalStateException("chromium has no page target: " + targets);
        }
        HeadlessChromium[] self = new HeadlessChromium[1];
        StringBuilder buffer = new StringBuilder();
        WebSocket socket = http.newWebSocketBuilder().buildAsync(URI.create(pageSocket), new WebSocket.Listener() {
            @Override
            public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
                buffer.append(data);
                if (last) {
                    self[0].receive(buffer.toString());
                    buffer.setLength(0);
                }
                webSocket.request(1);
                return null;
            }
        }).get(30, TimeUnit.SECONDS);
        self[0] = new HeadlessChromium(process, userData, socket);
        self[0].call("Emulation.setDeviceMetricsOverride",
                Map.of("width", width, "height", height, "deviceScaleFactor", 1, "mobile", false));
        return self[0];
    }

    private void receive(String message) {
        try {
            JsonNode node = JSON.readTree(message);
            if (node.has("id")) {
                CompletableFuture<JsonNode> future = pending.remove(node.get("id").asInt());
                if (future != null) {
                    future.complete(node);
                }
            } else if ("Fetch.requestPaused".equals(node.path("method").asText())) {
                // Answered from another thread: this one delivers the response to that call.
                answers.submit(() -> answer(node.path("params")));
            }
        } catch (IOException e) {
            throw new IllegalStateException("unreadable DevTools message: " + message, e);
        }
    }

    JsonNode call(String method, Map<String, Object> params) throws Exception {
        int id = ids.incrementAndGet();
        ObjectNode request = JSON.createObjectNode();
        request.put("id", id);
        request.put("method", method);
        request.set("params", JSON.valueToTree(params));
        CompletableFuture<JsonNode> response = new CompletableFuture<>();
        pending.put(id, response);
        socket.sendText(JSON.writeValueAsString(request), true).get(10, TimeUnit.SECONDS);
        JsonNode node = response.get(30, TimeUnit.SECONDS);
        if (node.has("error")) {
            throw new IllegalStateException(method + " failed: " + node.get("error"));
        }
        return node.get("result");
    }

    /**
     * From now on the page's requests to URLs matching {@code urlPattern} (DevTools' wildcard syntax) are answered
     * here: {@code responder} gives the JSON body for a URL, or empty for a 404. Stands in for endpoints another
     * service version adds.
     */
    void answerJson(String urlPattern, java.util.function.Function<String, Optional<String>> responder) throws Exception {
        intercepted = responder;
        call("Fetch.enable", Map.of("patterns", List.of(Map.of("urlPattern", urlPattern))));
    }

    private void answer(JsonNode paused) {
        try {
            Optional<String> body = intercepted.apply(paused.path("request").path("url").asText());
            call("Fetch.fulfillRequest", Map.of("requestId", paused.path("requestId").asText(),
                    "responseCode", body.isPresent() ? 200 : 404,
                    "responseHeaders", List.of(Map.of("name", "Content-Type", "value", "application/json")),
                    "body", Base64.getEncoder().encodeToString(body.orElse("{}").getBytes(java.nio.charset.StandardCharsets.UTF_8))));
        } catch (Exception e) {
            throw new IllegalStateException("cannot answer an intercepted request: " + e.getMessage(), e);
        }
    }

    void navigate(String url) throws Exception {
        call("Page.navigate", Map.of("url", url));
    }

    /** Evaluates a JavaScript expression in the page and returns its value as text. */
    String evaluate(String expression) throws Exception {
        JsonNode result = call("Runtime.evaluate", Map.of("expression", expression, "returnByValue", true));
        return result.path("result").path("value").asText();
    }

    /** Waits until the expression's value satisfies {@code condition}; returns the last value. */
    String awaitValue(String expression, Predicate<String> condition, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        String value = evaluate(expression);
        while (!condition.test(value)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("page never satisfied the condition; last value of " + expression + ": " + value);
            }
            Thread.sleep(200);
            value = evaluate(expression);
        }
        return value;
    }

    void screenshot(Path file) throws Exception {
        JsonNode shot = call("Page.captureScreenshot", Map.of("format", "png", "captureBeyondViewport", true));
        Files.createDirectories(file.getParent());
        Files.write(file, Base64.getDecoder().decode(shot.get("data").asText()));
    }

    @Override
    public void close() throws Exception {
        answers.shutdownNow();
        socket.abort();
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
        try (var paths = Files.walk(userData)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
