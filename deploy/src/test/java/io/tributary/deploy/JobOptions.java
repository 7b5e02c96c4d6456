package io.tributary.deploy;

import io.tributary.aggregations.AggregationsOptions;
import io.tributary.cep.job.CepRulesOptions;
import io.tributary.ingest.IngestOptions;
import io.tributary.launcher.SuiteJob;
import io.tributary.media.job.MediaPipelineOptions;
import io.tributary.sinks.lake.LakeOptions;
import io.tributary.sinks.search.SearchOptions;
import io.tributary.sinks.warehouse.WarehouseOptions;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/**
 * A deployment's arguments for a job, parsed by that job's own options class, as its main parses
 * them.
 */
final class JobOptions {
    private final SuiteJob job;
    private final CommandLine.Model.CommandSpec spec;

    private JobOptions(SuiteJob job, CommandLine.Model.CommandSpec spec) {
        this.job = job;
        this.spec = spec;
    }

    /**
     * @throws CommandLine.ParameterException if the job refuses the arguments, as its main would
     */
    static JobOptions parse(SuiteJob job, List<String> args) {
        CommandLine commandLine = new CommandLine(optionsOf(job));
        commandLine.parseArgs(args.toArray(String[]::new));
        return new JobOptions(job, commandLine.getCommandSpec());
    }

    static Object optionsOf(SuiteJob job) {
        return switch (job) {
            case INGEST -> new IngestOptions();
            case AGGREGATIONS -> new AggregationsOptions();
            case CEP_RULES -> new CepRulesOptions();
            case MEDIA -> new MediaPipelineOptions();
            case SINKS_WAREHOUSE -> new WarehouseOptions();
            case SINKS_LAKE -> new LakeOptions();
            case SINKS_SEARCH_OPENSEARCH2, SINKS_SEARCH_ELASTICSEARCH7 -> new SearchOptions();
        };
    }

    SuiteJob job() {
        return job;
    }

    /**
     * Every topic the job reads or writes: the values of its {@code --*-topic(s)} options, defaults
     * included.
     */
    List<String> topics() {
        List<String> topics = new ArrayList<>();
        for (OptionSpec option : spec.options()) {
            String name = option.longestName();
            if (name.endsWith("-topic") || name.endsWith("-topics")) {
                Object value = option.getValue();
                if (value instanceof List<?> list) {
                    list.forEach(t -> topics.add(t.toString()));
                } else if (value != null) {
                    topics.add(value.toString());
                }
            }
        }
        return topics;
    }

    /** The value of an option, or null when the job has no such option or it is unset. */
    String value(String name) {
        OptionSpec option = spec.findOption(name);
        if (option == null || option.getValue() == null) {
            return null;
        }
        Object value = option.getValue();
        return value instanceof List<?> list
                ? String.join(",", list.stream().map(Object::toString).toList())
                : value.toString();
    }

    /** Every {@code s3://bucket/...} the job writes to, as bucket names. */
    List<String> s3Buckets() {
        List<String> buckets = new ArrayList<>();
        for (OptionSpec option : spec.options()) {
            Object value = option.getValue();
            if (value != null && value.toString().startsWith("s3://")) {
                buckets.add(URI.create(value.toString()).getHost());
            }
        }
        return buckets;
    }
}
