package io.tributary.sinks.search;

import io.tributary.jobs.JobCommandLine;
import io.tributary.jobs.Preflight;
import io.tributary.jobs.deadletters.DeadLetterSink;
import io.tributary.jobs.kafka.RawInput;
import java.time.Duration;
import java.util.List;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * What the main classes of both search jars do: parse the options, install the index template (on
 * the client, before the job is submitted), build and run the job with the jar's engine.
 */
public final class SearchJobMain {
    private SearchJobMain() {}

    public static void run(String[] args, SearchEngine engine) throws Exception {
        SearchOptions options = JobCommandLine.parse(new SearchOptions(), args);
        if (options == null) {
            return;
        }
        if (!options.skipIndexTemplate) {
            IndexTemplate.install(
                    options.client(REQUEST_TIMEOUT), options.indexPrefix, options.indexReplicas);
        }
        Preflight.check(options.runtime, options.kafka);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        options.runtime.configure(env);
        buildOnKafka(env, options, engine);
        env.execute("tributary sinks: search (" + engine.name() + ")");
    }

    public static void buildOnKafka(
            StreamExecutionEnvironment env, SearchOptions options, SearchEngine engine) {
        List<String> topics = List.copyOf(options.topics().values());
        SearchJob.build(
                env.fromSource(
                                RawInput.source(
                                        options.kafka.connection(),
                                        topics,
                                        options.groupId,
                                        options.runtime.bounded),
                                WatermarkStrategy.noWatermarks(),
                                "search topics")
                        .uid("search-source"),
                options.topics(),
                options.indexPrefix,
                options.kafka.registry(),
                sinks(options, engine));
    }

    public static SearchSinks sinks(SearchOptions options, SearchEngine engine) {
        return new SearchSinks(
                options.client(REQUEST_TIMEOUT),
                new IndexDocuments.Bulk(
                        options.bulkMaxActions,
                        options.bulkMaxSizeMb * 1024L * 1024L,
                        options.bulkInterval,
                        options.bulkBackoffRetries,
                        options.bulkBackoffDelay),
                DeadLetterSink.exactlyOnce(
                        options.kafka.connection(),
                        options.sinkDeadLetterTopic,
                        options.kafka.registry(),
                        options.transactionalIdPrefix,
                        options.runtime.transactionalProducer()));
    }

    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(60);
}
