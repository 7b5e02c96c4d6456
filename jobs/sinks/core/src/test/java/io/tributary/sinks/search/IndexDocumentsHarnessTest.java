package io.tributary.sinks.search;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import io.tributary.jobs.kafka.RawRecord;
import io.tributary.schemas.DeadLetter;
import io.tributary.schemas.DeadLetterReason;
import io.tributary.schemas.Topics;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The bulk operator against a real HTTP server on loopback that answers as a search engine under
 * trouble would: per-item refusals, 429s and 5xxs, a whole request refused.
 */
class IndexDocumentsHarnessTest {
    private static final IndexDocuments.Bulk BULK =
            new IndexDocuments.Bulk(100, 1 << 20, Duration.ofHours(1), 3, Duration.ofMillis(10));

    private HttpServer server;
    private final Deque<Answer> answers = new ArrayDeque<>();
    private final List<String> requests = new ArrayList<>();

    private record Answer(int status, String body) {}

    @BeforeEach
    void startServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext(
                "/_bulk",
                exchange -> {
                    synchronized (this) {
                        requests.add(
                                new String(
                                        exchange.getRequestBody().readAllBytes(),
                                        StandardCharsets.UTF_8));
                        Answer answer =
                                answers.isEmpty()
                                        ? new Answer(500, "no answer scripted")
                                        : answers.poll();
                        byte[] body = answer.body().getBytes(StandardCharsets.UTF_8);
                        exchange.sendResponseHeaders(answer.status(), body.length);
                        try (OutputStream out = exchange.getResponseBody()) {
                            out.write(body);
                        }
                    }
                });
        server.start();
    }

    @AfterEach
    void stopServer() {
        server.stop(0);
    }

    @Test
    void aRefusedDocumentIsADeadLetterAndAnOverloadedOneIsSentAgain() throws Exception {
        answers.add(new Answer(200, items(201, 429, 400, 409)));
        answers.add(new Answer(200, items(201)));
        try (var harness = harness()) {
            harness.open();
            for (int i = 0; i < 4; i++) {
                harness.processElement(new StreamRecord<>(document(i)));
            }
            assertThat(requests)
                    .as("nothing is sent before the interval, a full batch or a barrier")
                    .isEmpty();
            harness.prepareSnapshotPreBarrier(1L);

            assertThat(requests).hasSize(2);
            assertThat(requests.get(1))
                    .contains("\"_id\":\"doc-1\"")
                    .doesNotContain("doc-0")
                    .doesNotContain("doc-2");
            List<DeadLetter> letters = harness.extractOutputValues();
            assertThat(letters).hasSize(1);
            DeadLetter letter = letters.get(0);
            assertThat(letter.getReason()).isEqualTo(DeadLetterReason.INVALID_VALUE);
            assertThat(letter.getMessage()).contains("doc-2").contains("mapper_parsing_exception");
            assertThat(letter.getSourceOffset()).isEqualTo(2L);
            assertThat(letter.getOriginalValue())
                    .isEqualTo(ByteBuffer.wrap(("value-2").getBytes(StandardCharsets.UTF_8)));
        }
    }

    @Test
    void anEngineAnswering503IsRetriedWithBackoffThenTheTaskFails() throws Exception {
        answers.add(new Answer(503, "{}"));
        answers.add(new Answer(200, items(201)));
        try (var harness = harness()) {
            harness.open();
            harness.processElement(new StreamRecord<>(document(0)));
            harness.prepareSnapshotPreBarrier(1L);
            assertThat(requests).hasSize(2);
            assertThat(harness.extractOutputValues()).isEmpty();

            for (int i = 0; i < 5; i++) {
                answers.add(new Answer(503, "{}"));
            }
            harness.processElement(new StreamRecord<>(document(1)));
            assertThatThrownBy(() -> harness.prepareSnapshotPreBarrier(2L))
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining("after 3 retries");
        }
    }

    @Test
    void aRequestRefusedAsAWholeFailsTheTaskInsteadOfDeadLetteringEveryDocument() throws Exception {
        answers.add(new Answer(401, "{\"error\":\"unauthorized\"}"));
        try (var harness = harness()) {
            harness.open();
            harness.processElement(new StreamRecord<>(document(0)));
            assertThatThrownBy(() -> harness.prepareSnapshotPreBarrier(1L))
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining("HTTP 401");
            assertThat(harness.extractOutputValues()).isEmpty();
        }
    }

    @Test
    void theBufferIsWrittenWhenTheIntervalEndsAndAtEndOfInput() throws Exception {
        answers.add(new Answer(200, items(201)));
        answers.add(new Answer(200, items(201)));
        IndexDocuments operator =
                new IndexDocuments(
                        settings(),
                        new IndexDocuments.Bulk(
                                100, 1 << 20, Duration.ofMillis(50), 3, Duration.ofMillis(10)),
                        "test");
        try (var harness = new OneInputStreamOperatorTestHarness<>(operator)) {
            harness.open();
            harness.setProcessingTime(0);
            harness.processElement(new StreamRecord<>(document(0)));
            harness.setProcessingTime(50);
            assertThat(requests).hasSize(1);
            harness.processElement(new StreamRecord<>(document(1)));
            operator.finish();
            assertThat(requests).hasSize(2);
        }
    }

    private OneInputStreamOperatorTestHarness<SearchDocument, DeadLetter> harness()
            throws Exception {
        return new OneInputStreamOperatorTestHarness<>(
                new IndexDocuments(settings(), BULK, "test"));
    }

    private SearchClient.Settings settings() {
        return new SearchClient.Settings(
                List.of("http://127.0.0.1:" + server.getAddress().getPort()),
                null,
                null,
                Duration.ofSeconds(5));
    }

    private static SearchDocument document(int n) {
        SearchDocument document = new SearchDocument("t-iot", "doc-" + n, "{\"n\":" + n + "}", n);
        document.raw =
                new RawRecord(
                        Topics.AGG_IOT_DEVICE_5M,
                        0,
                        n,
                        0L,
                        ("key-" + n).getBytes(StandardCharsets.UTF_8),
                        ("value-" + n).getBytes(StandardCharsets.UTF_8));
        return document;
    }

    private static String items(int... statuses) {
        StringBuilder items = new StringBuilder("{\"errors\":true,\"items\":[");
        for (int i = 0; i < statuses.length; i++) {
            items.append(i == 0 ? "" : ",").append("{\"index\":{\"status\":").append(statuses[i]);
            if (statuses[i] == 400) {
                items.append(
                        ",\"error\":{\"type\":\"mapper_parsing_exception\",\"reason\":\"failed to parse field [n]\"}");
            }
            items.append("}}");
        }
        return items.append("]}").toString();
    }
}
