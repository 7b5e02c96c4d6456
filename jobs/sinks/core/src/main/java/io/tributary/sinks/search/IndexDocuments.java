package io.tributary.sinks.search;

import io.tributary.jobs.deadletters.DeadLetters;
import io.tributary.schemas.DeadLetter;
import io.tributary.schemas.DeadLetterReason;
import java.io.IOException;
import java.io.Serializable;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.flink.api.common.operators.ProcessingTimeService.ProcessingTimeCallback;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.ChainingStrategy;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/**
 * Writes documents to the search engine in bulk requests and emits a dead letter for each document
 * the engine refuses, so that no document can fail the job: a mapping conflict or a value an index
 * will not take is kept on the dead-letter topic with the record it came from, while an overloaded
 * or failing engine (429, 5xx, unreachable) gets the documents again with exponential backoff. Only
 * an engine that keeps failing after {@code retries} fails the task, which then restarts from its
 * last checkpoint.
 *
 * <p>One bulk request is in flight while the next batch fills: the task hands the request to a
 * sender thread and goes on with records, and settles the answer (counts, dead letters, retries)
 * before it sends the next one. Waiting for each answer left the engine idle while the task
 * decoded, and the task idle while the engine indexed.
 *
 * <p>At least once: everything buffered is written and answered before a checkpoint barrier passes
 * (and at end of input), so a checkpoint covers what reached the engine; a replay writes documents
 * again under the same ids. Revisions are versions ({@link BulkRequests}), so a replayed older
 * revision never overwrites a newer one.
 */
public final class IndexDocuments extends AbstractStreamOperator<DeadLetter>
        implements OneInputStreamOperator<SearchDocument, DeadLetter>, ProcessingTimeCallback {
    private static final long serialVersionUID = 1L;
    private static final int REQUEST_OVERHEAD_BYTES = 128;

    /** How documents are batched and how a failing engine is retried. */
    public record Bulk(
            int maxActions, long maxBytes, Duration interval, int retries, Duration firstBackoff)
            implements Serializable {}

    private final SearchClient.Settings engine;
    private final Bulk bulk;
    private final String job;

    private transient SearchClient client;
    private transient ExecutorService sender;
    private transient Future<SearchClient.Answer> inFlight;
    private transient List<SearchDocument> inFlightBatch;
    private transient List<SearchDocument> pending;
    private transient long pendingBytes;
    private transient long flushTimer;
    private transient Counter written;
    private transient Counter stale;
    private transient Counter refused;
    private transient Counter retried;

    public IndexDocuments(SearchClient.Settings engine, Bulk bulk, String job) {
        this.engine = engine;
        this.bulk = bulk;
        this.job = job;
        this.chainingStrategy = ChainingStrategy.ALWAYS;
    }

    @Override
    public void open() throws Exception {
        super.open();
        client = new SearchClient(engine);
        String thread = "search-bulk-" + getRuntimeContext().getTaskInfo().getIndexOfThisSubtask();
        sender =
                Executors.newSingleThreadExecutor(
                        task -> {
                            Thread t = new Thread(task, thread);
                            t.setDaemon(true);
                            return t;
                        });
        pending = new ArrayList<>();
        flushTimer = -1;
        written = getMetricGroup().counter("documentsWritten");
        stale = getMetricGroup().counter("staleRevisionsDropped");
        refused = getMetricGroup().counter("documentsRefused");
        retried = getMetricGroup().counter("documentsRetried");
    }

    @Override
    public void processElement(StreamRecord<SearchDocument> element) throws Exception {
        SearchDocument document = element.getValue();
        pending.add(document);
        pendingBytes +=
                document.json.length()
                        + document.id.length()
                        + document.index.length()
                        + REQUEST_OVERHEAD_BYTES;
        if (pending.size() >= bulk.maxActions() || pendingBytes >= bulk.maxBytes()) {
            flush();
        } else if (flushTimer < 0) {
            flushTimer =
                    getProcessingTimeService().getCurrentProcessingTime()
                            + bulk.interval().toMillis();
            getProcessingTimeService().registerTimer(flushTimer, this);
        }
    }

    @Override
    public void onProcessingTime(long time) throws Exception {
        flushTimer = -1;
        // Traffic is slow when the timer fires: settle the answer now rather than at the next
        // batch.
        flush();
        awaitInFlight();
    }

    @Override
    public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
        flush();
        awaitInFlight();
    }

    @Override
    public void finish() throws Exception {
        flush();
        awaitInFlight();
        super.finish();
    }

    @Override
    public void close() throws Exception {
        if (sender != null) {
            sender.shutdownNow();
        }
        super.close();
    }

    /** Sends what is pending once the request in flight is settled. */
    private void flush() throws IOException, InterruptedException {
        if (pending.isEmpty()) {
            return;
        }
        List<SearchDocument> batch = pending;
        pending = new ArrayList<>();
        pendingBytes = 0;
        String body = BulkRequests.body(batch);
        awaitInFlight();
        inFlightBatch = batch;
        inFlight = sender.submit(() -> client.bulk(body));
    }

    /** Settles the request in flight: counts, dead letters, and retries of what must go again. */
    private void awaitInFlight() throws IOException, InterruptedException {
        if (inFlight == null) {
            return;
        }
        List<SearchDocument> batch = inFlightBatch;
        Future<SearchClient.Answer> answer = inFlight;
        inFlight = null;
        inFlightBatch = null;
        List<SearchDocument> again;
        try {
            again = settle(batch, answer.get());
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof IOException unreachable)) {
                throw new IOException("the bulk request failed", e.getCause());
            }
            LOG.warn("No search node answered; retrying {} documents", batch.size(), unreachable);
            again = batch;
        }
        long backoff = bulk.firstBackoff().toMillis();
        for (int attempt = 0; !again.isEmpty(); attempt++) {
            if (attempt >= bulk.retries()) {
                throw new IOException(
                        "the search engine did not take "
                                + again.size()
                                + " documents after "
                                + bulk.retries()
                                + " retries; the job restarts from its last checkpoint");
            }
            retried.inc(again.size());
            Thread.sleep(backoff);
            backoff *= 2;
            again = send(again);
        }
    }

    /** Sends one bulk request; what comes back is to be sent again. */
    private List<SearchDocument> send(List<SearchDocument> batch)
            throws IOException, InterruptedException {
        SearchClient.Answer answer;
        try {
            answer = client.bulk(BulkRequests.body(batch));
        } catch (IOException unreachable) {
            LOG.warn("No search node answered; retrying {} documents", batch.size(), unreachable);
            return batch;
        }
        return settle(batch, answer);
    }

    /** What the engine's answer says of each document; returns those to send again. */
    private List<SearchDocument> settle(List<SearchDocument> batch, SearchClient.Answer answer)
            throws IOException {
        if (BulkRequests.outcome(answer.status()) == BulkRequests.Outcome.RETRY) {
            return batch;
        }
        if (answer.status() / 100 != 2) {
            // The request as a whole was refused (credentials, permissions, size): no document can
            // be the cause, so this is the deployment's problem and the task fails.
            throw new IOException(
                    "the search engine refused the bulk request: HTTP "
                            + answer.status()
                            + " "
                            + DeadLetters.cut(answer.body(), 500));
        }
        List<BulkRequests.Result> results = BulkRequests.results(answer.body(), batch.size());
        List<SearchDocument> again = new ArrayList<>();
        for (int i = 0; i < batch.size(); i++) {
            SearchDocument document = batch.get(i);
            BulkRequests.Result result = results.get(i);
            switch (result.outcome()) {
                case WRITTEN -> written.inc();
                case STALE -> stale.inc();
                case RETRY -> again.add(document);
                case REFUSED -> {
                    refused.inc();
                    output.collect(new StreamRecord<>(deadLetter(document, result)));
                }
            }
        }
        return again;
    }

    private DeadLetter deadLetter(SearchDocument document, BulkRequests.Result result) {
        String message =
                "the index "
                        + document.index
                        + " refused document "
                        + document.id
                        + " (HTTP "
                        + result.status()
                        + "): "
                        + result.error();
        long now = getProcessingTimeService().getCurrentProcessingTime();
        return DeadLetters.of(
                document.raw,
                DeadLetterReason.INVALID_VALUE,
                message,
                null,
                job,
                Instant.ofEpochMilli(now));
    }
}
