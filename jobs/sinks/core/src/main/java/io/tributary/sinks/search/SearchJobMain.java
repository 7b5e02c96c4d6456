package io.tributary.sinks.search;

import io.tributary.jobs.JobCommandLine;
import io.tributary.schemas.DeadLetter;
import io.tributary.jobs.deadletters.DeadLetterSink;
import io.tributary.jobs.kafka.RawInput;
import java.util.List;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * What the main classes of both search jars do: parse the options, install the index template
 * (on the client, before the job is submitted), build and run the job with the jar's engine.
 */
public final class SearchJobMain {
    private SearchJobMain() {}

    public static void run(String[] args, SearchSinkFactory engine) throws Exception {
        SearchOptions options = JobCommandLine.parse(new SearchOptions(), args);
        if (options == null) {
            return;
        }
        if (!options.skipIndexTemplate) {
            IndexTemplate.install(options.searchUrls.get(0), options.indexPrefix, options.indexReplicas, options.user, options.password);
        }
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        options.runtime.configure(env);
        buildOnKafka(env, options, engine);
        env.execute("tributary sinks: search (" + engine.engine() + ")");
    }

    public static void buildOnKafka(StreamExecutionEnvironment env, SearchOptions options, SearchSinkFactory engine) {
        List<String> topics = List.copyOf(options.topics().values());
        SearchJob.build(
                env.fromSource(RawInput.source(options.kafka.bootstrapServers, topics, options.groupId, options.runtime.bounded),
                        WatermarkStrategy.noWatermarks(), "search topics").uid("search-source"),
                options.topics(), options.indexPrefix, options.kafka.registryUrl, sinks(options, engine));
    }

    public static SearchSinks sinks(SearchOptions options, SearchSinkFactory engine) {
        return new SearchSinks() {
            @Override
            public Sink<SearchDocument> documents() {
                return engine.documents(options);
            }

            @Override
            public Sink<DeadLetter> rejected() {
                return DeadLetterSink.exactlyOnce(options.kafka.bootstrapServers, options.sinkDeadLetterTopic,
                        options.kafka.registryUrl, options.transactionalIdPrefix, options.runtime.transactionalProducer());
            }
        };
    }
}
