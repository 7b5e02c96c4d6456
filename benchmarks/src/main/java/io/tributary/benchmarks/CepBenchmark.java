package io.tributary.benchmarks;

import io.tributary.cep.job.CepRulesJob;
import io.tributary.cep.job.CepRulesJobMain;
import io.tributary.cep.job.CepRulesOptions;
import io.tributary.cep.job.RuleGroupOperator;
import io.tributary.cep.job.RuleRevision;
import io.tributary.cep.rules.Rule;
import io.tributary.cep.rules.RuleLoader;
import io.tributary.cep.rules.RuleSet;
import io.tributary.cep.ruleset.RuleSetKafka;
import io.tributary.cep.ruleset.RuleSetStatus;
import io.tributary.cep.ruleset.RuleSetTopic;
import io.tributary.jobs.RuntimeOptions;
import io.tributary.jobs.deadletters.DeadLetterSink;
import io.tributary.jobs.kafka.CanonicalInput;
import io.tributary.jobs.kafka.CanonicalKafka;
import io.tributary.jobs.kafka.KafkaConnection;
import io.tributary.schemas.Domain;
import io.tributary.schemas.Envelope;
import io.tributary.schemas.alerts.Alert;
import io.tributary.schemas.registry.ConfluentAvro;
import io.tributary.schemas.registry.RegistryConnection;
import io.tributary.testkit.infra.KafkaBroker;
import io.tributary.testkit.infra.SchemaRegistry;
import io.tributary.testkit.infra.TempDirs;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.formats.avro.RegistryAvroDeserializationSchema;
import org.apache.flink.formats.avro.RegistryAvroSerializationSchema;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The CEP rules job on the real broker: events/s with 1, 10 and 100 rules over the same stream
 * (bounded runs, one after the other in one JVM), then detection latency at a fixed rate below the
 * maximum: from the moment the event that completes a match is produced to the alert being emitted
 * by the job, and to the alert being visible to a read_committed consumer (which waits for the
 * checkpoint that commits it). Prints the figures and writes {@code results/cep.md}.
 */
@Command(
        name = "bench-cep",
        mixinStandardHelpOptions = true,
        description = "CEP rules job: throughput by rule count, detection latency.")
public final class CepBenchmark implements Callable<Integer> {
    private static final List<String> INPUTS =
            List.of(
                    "bench.events.player",
                    "bench.events.media",
                    "bench.events.commerce",
                    "bench.events.iot");

    // A run's time includes job start and the final checkpoint (up to one interval of waiting):
    // at 50,000 events that fixed cost was most of a 1-rule run and flattered every ratio.
    @Option(
            names = "--events",
            defaultValue = "400000",
            description = "Canonical events to load (default: ${DEFAULT-VALUE}).")
    int events;

    @Option(
            names = "--rule-counts",
            split = ",",
            defaultValue = "1,10,100",
            description = "Rule counts to measure (default: ${DEFAULT-VALUE}).")
    List<Integer> ruleCounts;

    @Option(
            names = "--rules",
            defaultValue = "../rules",
            description = "The shipped rules, cloned up to each count (default: ${DEFAULT-VALUE}).")
    Path rulesDir;

    @Option(
            names = "--latency-rate",
            defaultValue = "2000",
            description = "Events/s during the latency run (default: ${DEFAULT-VALUE}).")
    int latencyRate;

    @Option(
            names = "--latency-duration",
            defaultValue = "60s",
            converter = RuntimeOptions.DurationConverter.class,
            description = "Length of the latency run (default: ${DEFAULT-VALUE}).")
    Duration latencyDuration;

    @Option(
            names = "--checkpoint-interval",
            defaultValue = "10s",
            converter = RuntimeOptions.DurationConverter.class,
            description = "Checkpoint interval of every run (default: ${DEFAULT-VALUE}).")
    Duration checkpointInterval;

    @Option(
            names = "--run-limit",
            defaultValue = "5m",
            converter = RuntimeOptions.DurationConverter.class,
            description =
                    "A bounded run still going after this long is cancelled and reported as a bound (default: ${DEFAULT-VALUE}).")
    Duration runLimit;

    @Option(
            names = "--state-backend",
            defaultValue = "ROCKSDB",
            description = "State backend of every run (default: ${DEFAULT-VALUE}).")
    RuntimeOptions.StateBackend stateBackend;

    @Option(
            names = "--timer-state",
            defaultValue = "HEAP",
            description = "Where RocksDB runs keep timers (default: ${DEFAULT-VALUE}).")
    RuntimeOptions.TimerState timerState;

    /** How the shipped rules are cloned up to a count. */
    enum Clones {
        VARIANTS,
        COPIES,
        BOTH
    }

    @Option(
            names = "--state-cache-keys",
            defaultValue = "" + RuleGroupOperator.DEFAULT_STATE_CACHE_KEYS,
            description =
                    "Keys per subtask whose rule state stays on the heap in front of RocksDB; 0: none (default: ${DEFAULT-VALUE}).")
    int stateCacheKeys;

    @Option(
            names = "--clones",
            defaultValue = "BOTH",
            description =
                    "Clones of the shipped rules: VARIANTS (each clone watches one region, country, site or rendition), "
                            + "COPIES (exact copies under new ids: every clone starts on every event its original starts on), or BOTH (default: ${DEFAULT-VALUE}).")
    Clones clones;

    @Option(
            names = "--rounds",
            defaultValue = "3",
            description =
                    "Rounds of runs: each round runs every rule count once; medians are reported (default: ${DEFAULT-VALUE}).")
    int rounds;

    @Option(
            names = "--each-rule",
            description = "Also run each shipped rule alone: which rules cost what.")
    boolean eachRule;

    @Option(
            names = "--no-latency",
            negatable = true,
            defaultValue = "true",
            description = "Measure detection latency (default: ${DEFAULT-VALUE}).")
    boolean latency;

    @Option(
            names = "--no-publish",
            negatable = true,
            defaultValue = "true",
            description =
                    "Halfway through the latency run, publish a rule set that adds a rule with a new key (card testing per account and country) and time it (default: ${DEFAULT-VALUE}).")
    boolean publish;

    @Option(
            names = "--effective-in",
            defaultValue = "5s",
            converter = RuntimeOptions.DurationConverter.class,
            description =
                    "Event time from publishing to the published set taking effect (default: ${DEFAULT-VALUE}).")
    Duration effectiveIn;

    @Option(
            names = "--results",
            defaultValue = "results/cep.md",
            description = "Results file (default: ${DEFAULT-VALUE}).")
    Path results;

    public static void main(String[] args) {
        System.exit(new CommandLine(new CepBenchmark()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        Path work = TempDirs.create("bench-cep");
        List<String> throughputRows = new ArrayList<>();
        List<String> eachRuleRows = new ArrayList<>();
        String latencyRow;
        try (KafkaBroker kafka = KafkaBroker.start();
                SchemaRegistry registry = SchemaRegistry.start()) {
            kafka.createTopics(2, INPUTS.toArray(String[]::new));
            int loaded = load(kafka, registry);
            System.out.printf(Locale.ROOT, "Loaded %,d canonical events%n", loaded);
            Map<String, String> shipped = shippedRules();
            int run = 0;
            // Every shipped rule, so the first measured run with all of them does not pay for
            // compiling their code.
            Double warmSeconds =
                    bounded(
                                    kafka,
                                    registry,
                                    work.resolve("warmup"),
                                    rules(shipped, shipped.size(), Clones.COPIES),
                                    run++)
                            .seconds();
            double warm = warmSeconds == null ? 0 : loaded / warmSeconds;
            System.out.printf(
                    Locale.ROOT,
                    "warm-up run (%d shipped rules, not reported) %,10.0f events/s%n",
                    shipped.size(),
                    warm);
            List<Configuration> configurations = new ArrayList<>();
            for (int count : ruleCounts) {
                for (Clones kind : kinds(shipped, count)) {
                    String label =
                            count <= shipped.size()
                                    ? String.valueOf(count)
                                    : count
                                            + (kind == Clones.VARIANTS
                                                    ? " (market variants)"
                                                    : " (exact copies)");
                    configurations.add(new Configuration(label, rules(shipped, count, kind)));
                }
            }
            // Round after round of every configuration: a slow spell of the machine then slows one
            // run of each instead of all runs of one, and the medians stay comparable.
            Map<Configuration, List<Double>> rates = new LinkedHashMap<>();
            Map<Configuration, List<Double>> ofFirst = new LinkedHashMap<>();
            Map<Configuration, List<Double>> steadyRates = new LinkedHashMap<>();
            Map<Configuration, List<Double>> steadyOfFirst = new LinkedHashMap<>();
            for (int round = 1; round <= rounds; round++) {
                Double first = null;
                double firstSteady = Double.NaN;
                for (Configuration configuration : configurations) {
                    Timing timing =
                            bounded(
                                    kafka,
                                    registry,
                                    work.resolve("run" + run),
                                    configuration.rules(),
                                    run++);
                    Double seconds = timing.seconds();
                    double rate =
                            seconds == null
                                    ? loaded / (double) runLimit.toSeconds()
                                    : loaded / seconds;
                    if (configuration == configurations.get(0)) {
                        first = rate;
                        firstSteady = timing.steady();
                    }
                    rates.computeIfAbsent(configuration, c -> new ArrayList<>()).add(rate);
                    ofFirst.computeIfAbsent(configuration, c -> new ArrayList<>())
                            .add(rate / first);
                    steadyRates
                            .computeIfAbsent(configuration, c -> new ArrayList<>())
                            .add(timing.steady());
                    steadyOfFirst
                            .computeIfAbsent(configuration, c -> new ArrayList<>())
                            .add(timing.steady() / firstSteady);
                    System.out.printf(
                            Locale.ROOT,
                            "round %d  %-30s %s%,10.0f events/s  (%.2f of %s rule(s)); steady state %,10.0f events/s (%.2f)%n",
                            round,
                            configuration.label() + " rule(s)",
                            seconds == null ? "cancelled at the run limit: < " : "",
                            rate,
                            rate / first,
                            configurations.get(0).label(),
                            timing.steady(),
                            timing.steady() / firstSteady);
                }
            }
            for (Configuration configuration : configurations) {
                List<Double> measured = rates.get(configuration);
                List<Double> steady = steadyRates.get(configuration);
                double median = median(measured);
                double ratio = median(ofFirst.get(configuration));
                double steadyMedian = median(steady);
                double steadyRatio = median(steadyOfFirst.get(configuration));
                System.out.printf(
                        Locale.ROOT,
                        "median   %-30s %,10.0f events/s  (%.2f of %s rule(s)); steady state %,10.0f events/s (%.2f)%n",
                        configuration.label() + " rule(s)",
                        median,
                        ratio,
                        configurations.get(0).label(),
                        steadyMedian,
                        steadyRatio);
                List<String> eachRound = new ArrayList<>();
                for (int i = 0; i < measured.size(); i++) {
                    eachRound.add(
                            String.format(
                                    Locale.ROOT, "%,.0f (%,.0f)", measured.get(i), steady.get(i)));
                }
                throughputRows.add(
                        String.format(
                                Locale.ROOT,
                                "| %s | %,.0f | %.2f | %,.0f | %.2f | %s |",
                                configuration.label(),
                                median,
                                ratio,
                                steadyMedian,
                                steadyRatio,
                                String.join(" / ", eachRound)));
            }
            if (eachRule) {
                for (Map.Entry<String, String> file : shipped.entrySet()) {
                    List<Rule> alone =
                            RuleLoader.loadTexts(Map.of(file.getKey(), file.getValue()))
                                    .rulesOrThrow();
                    Double seconds =
                            bounded(kafka, registry, work.resolve("run" + run), alone, run++)
                                    .seconds();
                    String perSecond =
                            seconds == null
                                    ? String.format(
                                            Locale.ROOT,
                                            "< %,.0f",
                                            loaded / (double) runLimit.toSeconds())
                                    : String.format(Locale.ROOT, "%,.0f", loaded / seconds);
                    System.out.printf(
                            Locale.ROOT,
                            "rule %-28s alone %10s events/s%n",
                            alone.get(0).id(),
                            perSecond);
                    eachRuleRows.add(
                            String.format(
                                    Locale.ROOT,
                                    "| %s | %s | %s |",
                                    alone.get(0).id(),
                                    alone.get(0).key(),
                                    perSecond));
                }
            }
            latencyRow =
                    latency
                            ? latency(
                                    kafka,
                                    registry,
                                    work.resolve("latency"),
                                    ruleTexts(shipped, 10, Clones.COPIES))
                            : null;
        } finally {
            TempDirs.delete(work);
        }
        write(throughputRows, eachRuleRows, latencyRow);
        return 0;
    }

    /** One measured setting: the rules of a run, named as in the results. */
    private record Configuration(String label, List<Rule> rules) {}

    private static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        int middle = sorted.size() / 2;
        return sorted.size() % 2 == 1
                ? sorted.get(middle)
                : (sorted.get(middle - 1) + sorted.get(middle)) / 2;
    }

    /** The shipped rules' texts by file, ids made unique so they can be cloned. */
    private Map<String, String> shippedRules() throws Exception {
        Map<String, String> texts = new LinkedHashMap<>();
        for (Path file : RuleLoader.ruleFiles(rulesDir)) {
            texts.put(file.toString(), Files.readString(file));
        }
        return texts;
    }

    /** The clone kinds to measure at a count: none are cloned up to the number of shipped rules. */
    private List<Clones> kinds(Map<String, String> shipped, int count) {
        if (count <= shipped.size()) {
            return List.of(Clones.COPIES);
        }
        return clones == Clones.BOTH ? List.of(Clones.VARIANTS, Clones.COPIES) : List.of(clones);
    }

    /**
     * Where a market variant of a shipped rule narrows its first step: a field the first step's
     * events carry, and the values the generated traffic gives it. rendition-ladder-incomplete
     * begins with an upload, which carries none, so its clones are copies in both kinds.
     */
    private static final java.util.regex.Pattern RULE_ID =
            java.util.regex.Pattern.compile("(?m)^id: (\\S+)$");

    private static final Map<String, Segment> SEGMENTS =
            Map.of(
                    "rebuffering-storm",
                    Segment.REGION,
                    "account-sharing",
                    Segment.REGION,
                    "playback-start-failure",
                    Segment.REGION,
                    "card-testing",
                    Segment.COUNTRY,
                    "order-paid-not-fulfilled",
                    Segment.COUNTRY,
                    "sensor-flatline",
                    Segment.SITE,
                    "sensor-spike",
                    Segment.SITE,
                    "transcode-stuck",
                    Segment.RENDITION);

    private enum Segment {
        REGION("region", "eu-west", "eu-central", "us-east", "us-west", "ap-south"),
        COUNTRY("country", "DE", "FR", "GB", "US", "IN", "BR", "JP"),
        SITE("site", "pop-eu-west", "pop-eu-central", "pop-us-east", "pop-us-west", "pop-ap-south"),
        RENDITION("rendition", "500k", "1000k", "2000k", "4000k");

        final String field;
        final List<String> values;

        Segment(String field, String... values) {
            this.field = field;
            this.values = List.of(values);
        }

        /** The rule's first step, narrowed to one value of the field. */
        String narrow(String ruleText, int clone) {
            String value = values.get((clone - 1) % values.size());
            return ruleText.replaceFirst(
                    "(?m)^(  - begin: \\S+)$",
                    "$1\n    where: event." + field + " == \"" + value + "\"");
        }
    }

    /**
     * The first {@code count} rules of the shipped ones, cycled: clone k of a rule gets the id
     * {@code <id>-k}, so 100 rules are the nine shipped patterns eleven or twelve times each.
     * {@link Clones#VARIANTS}: clone k watches one region, country, site or rendition, as a suite
     * grows with variants per market; {@link Clones#COPIES}: clone k is the rule itself under a new
     * id, as when a second team wants the same alert.
     */
    private static List<Rule> rules(Map<String, String> shipped, int count, Clones kind) {
        return RuleLoader.loadTexts(ruleTexts(shipped, count, kind)).rulesOrThrow();
    }

    /** The texts of {@link #rules}, by a file name per clone. */
    private static Map<String, String> ruleTexts(
            Map<String, String> shipped, int count, Clones kind) {
        List<String> files = new ArrayList<>(shipped.keySet());
        Collections.sort(
                files,
                (a, b) ->
                        a.contains("rebuffering-storm")
                                ? -1
                                : b.contains("rebuffering-storm") ? 1 : a.compareTo(b));
        Map<String, String> chosen = new LinkedHashMap<>();
        for (int i = 0; i < count; i++) {
            String file = files.get(i % files.size());
            int clone = i / files.size();
            String text = shipped.get(file);
            if (clone > 0) {
                Matcher id = RULE_ID.matcher(text);
                Segment segment = id.find() ? SEGMENTS.get(id.group(1)) : null;
                if (kind == Clones.VARIANTS && segment != null) {
                    text = segment.narrow(text, clone);
                }
                text = text.replaceFirst("(?m)^id: (.+)$", "id: $1-" + clone);
            }
            chosen.put(file + "#" + clone, text);
        }
        return chosen;
    }

    private int load(KafkaBroker kafka, SchemaRegistry registry) throws Exception {
        return CanonicalLoad.load(
                kafka,
                registry,
                Map.of(
                        Domain.PLAYER,
                        INPUTS.get(0),
                        Domain.MEDIA,
                        INPUTS.get(1),
                        Domain.COMMERCE,
                        INPUTS.get(2),
                        Domain.IOT,
                        INPUTS.get(3)),
                events);
    }

    /**
     * A bounded run: seconds it took (null when it was cancelled at the run limit) and its
     * steady-state events/s (between 10% and 90% of the events, leaving out job start and the final
     * commit).
     */
    private record Timing(Double seconds, double steady) {}

    private Timing bounded(
            KafkaBroker kafka, SchemaRegistry registry, Path work, List<Rule> rules, int run)
            throws Exception {
        CepRulesOptions options = options(kafka, registry, "run" + run);
        options.runtime.bounded = true;
        int restPort = SourceRecordsOut.freePort();
        StreamExecutionEnvironment env = LocalRuns.environment(work, restPort);
        options.runtime.configure(env);
        CepRulesJobMain.prepareRuleTopics(options);
        CepRulesJobMain.buildOnKafka(env, options, rules);
        long start = System.nanoTime();
        JobClient job = env.executeAsync("bench cep " + rules.size() + " rules");
        try (ThroughputSampler sampler =
                ThroughputSampler.of(
                        new SourceRecordsOut(restPort, job.getJobID(), "canonical events"))) {
            try {
                job.getJobExecutionResult().get(runLimit.toMillis(), TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.TimeoutException e) {
                job.cancel().get(60, TimeUnit.SECONDS);
                return new Timing(null, Double.NaN);
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            sampler.close();
            return new Timing(seconds, sampler.steadyState());
        }
    }

    private CepRulesOptions options(KafkaBroker kafka, SchemaRegistry registry, String suffix) {
        CepRulesOptions options = new CepRulesOptions();
        new CommandLine(options)
                .parseArgs(
                        "--bootstrap-servers",
                        kafka.bootstrapServers(),
                        "--registry-url",
                        registry.url(),
                        "--rules",
                        rulesDir.toString(),
                        "--input-topics",
                        String.join(",", INPUTS),
                        "--alerts-topic",
                        "bench.alerts-" + suffix,
                        "--late-topic",
                        "bench.late-" + suffix,
                        "--dead-letter-topic",
                        "bench.dead-letters-" + suffix,
                        "--group-id",
                        "bench-cep-" + suffix,
                        "--transactional-id-prefix",
                        "bench-cep-" + suffix,
                        // Under backpressure an aligned checkpoint can take minutes; a transaction
                        // that outlives
                        // its timeout is aborted by the broker and the job restarts (seen with 100
                        // rules).
                        "--transaction-timeout",
                        "14m",
                        "--checkpoint-interval",
                        checkpointInterval.toMillis() + "ms",
                        "--max-out-of-orderness",
                        "100ms",
                        "--idleness",
                        "1s",
                        "--state-backend",
                        stateBackend.name(),
                        "--timer-state",
                        timerState.name(),
                        "--state-cache-keys",
                        String.valueOf(stateCacheKeys));
        // Output topics exist before the job starts (see AggregationsBenchmark).
        kafka.createTopics(2, options.alertsTopic, options.lateTopic, options.deadLetterTopic);
        return options;
    }

    /** The rule a latency run publishes halfway: card testing per account and country. */
    static final String PUBLISHED_RULE = "card-testing-by-country";

    /** Traffic the latency figures of the steady state leave out at the start and at the end. */
    private static final Duration WARM_UP = Duration.ofSeconds(10);

    private static final Duration DRAIN = Duration.ofSeconds(2);

    /** What the latency run measured about publishing a rule set while it ran. */
    private static final class Publishing {
        volatile long publishedAt;
        volatile long effectiveAt;
        volatile long ackedAt;
        volatile long statusAt;
        volatile String status = "no status within 60 s";
        volatile long firstAlertEmittedAt;
        volatile long firstAlertVisibleAt;
        final java.util.concurrent.atomic.AtomicLong alerts =
                new java.util.concurrent.atomic.AtomicLong();
    }

    /**
     * Card-testing sequences (three failed payments, then a success) at a fixed rate among
     * background traffic, event time = the moment of sending; latency is measured from sending the
     * success to the alert's detection time (emitted) and to a read_committed consumer seeing it.
     * Halfway, unless told not to, a rule set is published that adds {@value #PUBLISHED_RULE} (a
     * key no rule used before), effective {@link #effectiveIn} later: the run reports when the job
     * accepted it and when the new rule's first alert was emitted and visible.
     */
    private String latency(
            KafkaBroker kafka, SchemaRegistry registry, Path work, Map<String, String> ruleTexts)
            throws Exception {
        List<Rule> rules = RuleLoader.loadTexts(ruleTexts).rulesOrThrow();
        String suffix = "latency";
        CepRulesOptions options = options(kafka, registry, suffix);
        String input = "bench.latency.commerce";
        kafka.createTopics(2, input);
        options.inputTopics = List.of(input);
        KafkaConnection connection = KafkaConnection.plaintext(kafka.bootstrapServers());
        String ruleSetTopic = "bench.rule-sets-" + suffix;
        String statusTopic = "bench.rule-status-" + suffix;
        RuleSetTopic publisher = null;
        CepRulesJob.RuleUpdates updates = null;
        if (publish) {
            publisher = new RuleSetTopic(connection, ruleSetTopic);
            publisher.createIfMissing(ruleSetTopic, true);
            publisher.createIfMissing(statusTopic, false);
            publisher.claim();
            updates =
                    new CepRulesJob.RuleUpdates(
                            RuleSetKafka.source(connection, ruleSetTopic, "bench-rule-sets", false),
                            RuleSetKafka.statusSink(connection, statusTopic));
        }
        StreamExecutionEnvironment env = LocalRuns.environment(work);
        options.runtime.configure(env);
        CepRulesJob.build(
                CepRulesJob.readCanonical(
                        env,
                        CanonicalInput.kafkaSource(
                                connection,
                                List.of(input),
                                "bench-latency",
                                RegistryConnection.of(registry.url()),
                                CepRulesJob.JOB,
                                Duration.ofMinutes(5),
                                false),
                        Duration.ofMillis(100),
                        Duration.ofSeconds(1)),
                RuleRevision.of(RuleRevision.SUBMITTED, Long.MIN_VALUE, rules),
                updates,
                sinksOf(options),
                stateCacheKeys,
                RuleGroupOperator.DEFAULT_MAX_PARTIAL_MATCHES);
        JobClient job = env.executeAsync("bench cep latency");
        Map<String, Long> sentAt = new ConcurrentHashMap<>();
        // Per alert: when its last event was sent, then ms to emitted and to visible.
        List<long[]> observed = Collections.synchronizedList(new ArrayList<>());
        Publishing publishing = new Publishing();
        Thread reader =
                new Thread(
                        () ->
                                readAlerts(
                                        kafka,
                                        registry,
                                        options.alertsTopic,
                                        sentAt,
                                        observed,
                                        publishing),
                        "alert-reader");
        reader.setDaemon(true);
        reader.start();
        Thread.sleep(5_000);
        RegistryAvroSerializationSchema<Envelope> serializer =
                ConfluentAvro.serializer(Envelope.class, input, registry.url());
        serializer.open(null);
        long end = System.nanoTime() + latencyDuration.toNanos();
        long publishAt = System.nanoTime() + latencyDuration.toNanos() / 2;
        Thread publisherThread = null;
        long sent = 0;
        long startNanos = System.nanoTime();
        long startMillis = System.currentTimeMillis();
        try (KafkaProducer<byte[], byte[]> producer = kafka.producer(Map.of("linger.ms", 0))) {
            int account = 0;
            while (System.nanoTime() < end) {
                if (publisher != null
                        && publisherThread == null
                        && System.nanoTime() >= publishAt) {
                    RuleSetTopic topic = publisher;
                    publisherThread =
                            new Thread(
                                    () -> publishRule(topic, statusTopic, ruleTexts, publishing),
                                    "rule-publisher");
                    publisherThread.setDaemon(true);
                    publisherThread.start();
                }
                String acct = "lat-" + account++;
                for (String type :
                        List.of(
                                "PAYMENT_FAILED",
                                "PAYMENT_FAILED",
                                "PAYMENT_FAILED",
                                "PAYMENT_ATTEMPTED",
                                "PAYMENT_SUCCEEDED")) {
                    long due = startNanos + sent * 1_000_000_000L / latencyRate;
                    long wait = due - System.nanoTime();
                    if (wait > 0) {
                        TimeUnit.NANOSECONDS.sleep(wait);
                    }
                    long now = System.currentTimeMillis();
                    Envelope event = commerce(acct, type, now);
                    if (type.equals("PAYMENT_SUCCEEDED")) {
                        sentAt.put(acct, now);
                    }
                    producer.send(
                            new ProducerRecord<>(
                                    input,
                                    null,
                                    now,
                                    acct.getBytes(StandardCharsets.UTF_8),
                                    serializer.serialize(event)));
                    sent++;
                }
            }
        }
        Thread.sleep(checkpointInterval.toMillis() + 5_000);
        if (publisherThread != null) {
            publisherThread.join(60_000);
        }
        job.cancel().get(60, TimeUnit.SECONDS);
        if (publisher != null) {
            publisher.close();
        }
        List<long[]> all = new ArrayList<>(observed);
        String run =
                String.format(
                        Locale.ROOT,
                        "%,d events/s, %d rules, checkpoints every %s",
                        latencyRate,
                        rules.size(),
                        checkpointInterval);
        String row = latencyRow(run, all, sentAt.size());
        printSlowestSeconds(all, startMillis, publishing);
        // The job's first seconds of traffic (code still being compiled by the JIT) and its last
        // (the watermark stops with the traffic and moves on only when the source turns idle)
        // are not how it runs.
        long steadyFrom = startMillis + WARM_UP.toMillis();
        long steadyTo = startMillis + latencyDuration.toMillis() - DRAIN.toMillis();
        List<long[]> steady =
                all.stream().filter(a -> a[0] >= steadyFrom && a[0] < steadyTo).toList();
        row += "\n" + latencyRow("steady state", steady, -1);
        if (publisher != null && publishing.effectiveAt > 0) {
            row +=
                    "\n"
                            + latencyRow(
                                    "steady state, before publishing",
                                    steady.stream()
                                            .filter(a -> a[0] < publishing.publishedAt)
                                            .toList(),
                                    -1)
                            + "\n"
                            + latencyRow(
                                    "steady state, publishing to taking effect",
                                    steady.stream()
                                            .filter(
                                                    a ->
                                                            a[0] >= publishing.publishedAt
                                                                    && a[0]
                                                                            < publishing
                                                                                    .effectiveAt)
                                            .toList(),
                                    -1)
                            + "\n"
                            + latencyRow(
                                    "steady state, after the new set took effect",
                                    steady.stream()
                                            .filter(a -> a[0] >= publishing.effectiveAt)
                                            .toList(),
                                    -1);
        }
        if (publisher == null) {
            return row;
        }
        String published = publishingRow(publishing);
        System.out.println("publishing a rule set mid-run: " + published);
        return row + "\n\n" + published;
    }

    /**
     * Where the tail is: the seconds of traffic whose alerts took longest to be emitted, counted
     * from the start of traffic, with checkpoints and publishing for comparison.
     */
    private void printSlowestSeconds(List<long[]> observed, long startMillis, Publishing p) {
        Map<Long, Long> worstBySecond = new java.util.TreeMap<>();
        for (long[] alert : observed) {
            worstBySecond.merge((alert[0] - startMillis) / 1000, alert[1], Math::max);
        }
        List<Map.Entry<Long, Long>> slowest = new ArrayList<>(worstBySecond.entrySet());
        slowest.sort(Map.Entry.<Long, Long>comparingByValue().reversed());
        StringBuilder text = new StringBuilder("slowest seconds of traffic (s: worst emitted ms):");
        slowest.stream()
                .limit(8)
                .forEach(
                        e -> text.append(' ').append(e.getKey()).append(": ").append(e.getValue()));
        if (p.publishedAt > 0) {
            text.append(
                    String.format(
                            Locale.ROOT,
                            "; published at %.1f s, effective at %.1f s",
                            (p.publishedAt - startMillis) / 1000.0,
                            (p.effectiveAt - startMillis) / 1000.0));
        }
        System.out.println(text);
    }

    /** A results row of detection latencies; {@code sequences} below 0 when not counted. */
    private static String latencyRow(String label, List<long[]> observed, int sequences) {
        List<Long> emitted = new ArrayList<>();
        List<Long> visible = new ArrayList<>();
        for (long[] alert : observed) {
            emitted.add(alert[1]);
            visible.add(alert[2]);
        }
        Collections.sort(emitted);
        Collections.sort(visible);
        String count =
                sequences < 0
                        ? String.valueOf(observed.size())
                        : String.format(Locale.ROOT, "%d of %d", observed.size(), sequences);
        System.out.printf(
                Locale.ROOT,
                "latency, %s: emitted p50 %d ms, p99 %d ms, max %d ms; visible to read_committed p50 %d ms, p99 %d ms (%s alerts)%n",
                label,
                pct(emitted, 50),
                pct(emitted, 99),
                pct(emitted, 100),
                pct(visible, 50),
                pct(visible, 99),
                count);
        return String.format(
                Locale.ROOT,
                "| %s | %d | %d | %d | %d | %d | %s |",
                label,
                pct(emitted, 50),
                pct(emitted, 99),
                pct(emitted, 100),
                pct(visible, 50),
                pct(visible, 99),
                count);
    }

    /**
     * Publishes the run's rules plus {@value #PUBLISHED_RULE} as revision 1, effective {@link
     * #effectiveIn} from now (event time is the wall clock in this run), and waits for the job's
     * status.
     */
    private void publishRule(
            RuleSetTopic topic,
            String statusTopic,
            Map<String, String> ruleTexts,
            Publishing publishing) {
        try {
            java.util.SortedMap<String, String> files = new java.util.TreeMap<>();
            ruleTexts.forEach(
                    (name, text) -> files.put(name.replaceAll("[^A-Za-z0-9/._-]", "_"), text));
            files.put("commerce/" + PUBLISHED_RULE + ".yaml", publishedRule(ruleTexts));
            long now = System.currentTimeMillis();
            publishing.publishedAt = now;
            publishing.effectiveAt = now + effectiveIn.toMillis();
            topic.publish(
                    new RuleSet(
                            1,
                            Instant.ofEpochMilli(publishing.effectiveAt),
                            Instant.ofEpochMilli(now),
                            "bench cep",
                            files));
            publishing.ackedAt = System.currentTimeMillis();
            java.util.Optional<RuleSetStatus> status =
                    topic.awaitStatus(statusTopic, 1, Duration.ofSeconds(60));
            if (status.isPresent()) {
                publishing.statusAt = System.currentTimeMillis();
                publishing.status =
                        status.get().accepted()
                                ? "accepted"
                                : "refused: " + status.get().problems();
            }
        } catch (RuntimeException e) {
            publishing.status = "publishing failed: " + e;
        }
    }

    /** Card testing, keyed by account and country: a key shape none of the run's rules has. */
    private static String publishedRule(Map<String, String> ruleTexts) {
        String cardTesting =
                ruleTexts.values().stream()
                        .filter(text -> text.contains("\nid: card-testing\n"))
                        .findFirst()
                        .orElseThrow(() -> new IllegalStateException("no card-testing rule"));
        return cardTesting
                .replaceFirst("(?m)^id: card-testing$", "id: " + PUBLISHED_RULE)
                .replaceFirst("(?m)^key: accountId$", "key: [accountId, country]");
    }

    private String publishingRow(Publishing p) {
        StringBuilder row =
                new StringBuilder(
                        String.format(
                                Locale.ROOT,
                                "Rule set published halfway (adds `%s`, keyed by account and country: a new key shape), effective %s later in event time: written to the topic in %d ms; job status %s",
                                PUBLISHED_RULE,
                                effectiveIn,
                                p.ackedAt - p.publishedAt,
                                p.status));
        if (p.statusAt > 0) {
            row.append(
                    String.format(
                            Locale.ROOT, " %d ms after publishing", p.statusAt - p.publishedAt));
        }
        if (p.firstAlertVisibleAt > 0) {
            row.append(
                    String.format(
                            Locale.ROOT,
                            "; the new rule's first alert emitted %d ms after publishing (%d ms after its effective time) and visible to read_committed after %d ms; %,d alerts of the new rule.",
                            p.firstAlertEmittedAt - p.publishedAt,
                            p.firstAlertEmittedAt - p.effectiveAt,
                            p.firstAlertVisibleAt - p.publishedAt,
                            p.alerts.get()));
        } else {
            row.append("; no alert of the new rule seen.");
        }
        return row.toString();
    }

    private static CepRulesJob.Sinks sinksOf(CepRulesOptions options) {
        Properties producer = options.runtime.transactionalProducer();
        return new CepRulesJob.Sinks(
                CanonicalKafka.exactlyOnceSink(
                        Alert.class,
                        options.alertsTopic,
                        new CepRulesJobMain.AlertKey(),
                        alert -> alert.getLastEventTime().toEpochMilli(),
                        options.kafka.connection(),
                        options.kafka.registry(),
                        options.transactionalIdPrefix + "-alerts-" + UUID.randomUUID(),
                        producer),
                CanonicalKafka.exactlyOnceSink(
                        Envelope.class,
                        options.lateTopic,
                        new CepRulesJobMain.EventIdKey(),
                        options.kafka.connection(),
                        options.kafka.registry(),
                        options.transactionalIdPrefix + "-late-" + UUID.randomUUID(),
                        producer),
                DeadLetterSink.exactlyOnce(
                        options.kafka.connection(),
                        options.deadLetterTopic,
                        options.kafka.registry(),
                        options.transactionalIdPrefix + "-dead-letters-" + UUID.randomUUID(),
                        producer));
    }

    private static void readAlerts(
            KafkaBroker kafka,
            SchemaRegistry registry,
            String topic,
            Map<String, Long> sentAt,
            List<long[]> observed,
            Publishing publishing) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "latency-reader-" + UUID.randomUUID());
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        RegistryAvroDeserializationSchema<Alert> decoder =
                ConfluentAvro.deserializer(Alert.class, registry.url());
        try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(
                        props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(topic));
            while (!Thread.currentThread().isInterrupted()) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(50))) {
                    long seen = System.currentTimeMillis();
                    Alert alert = decoder.deserialize(record.value());
                    if (alert.getRuleId().equals(PUBLISHED_RULE)
                            && publishing.alerts.getAndIncrement() == 0) {
                        publishing.firstAlertEmittedAt = alert.getDetectionTime().toEpochMilli();
                        publishing.firstAlertVisibleAt = seen;
                    }
                    Long sent = sentAt.get(alert.getKey());
                    if (sent != null && alert.getRuleId().startsWith("card-testing")) {
                        observed.add(
                                new long[] {
                                    sent,
                                    alert.getDetectionTime().toEpochMilli() - sent,
                                    seen - sent
                                });
                    }
                }
            }
        } catch (Exception e) {
            if (!(e instanceof org.apache.kafka.common.errors.InterruptException)) {
                System.err.println("alert reader stopped: " + e);
            }
        }
    }

    private static Envelope commerce(String account, String type, long now) {
        return Envelope.newBuilder()
                .setEventId(UUID.randomUUID().toString())
                .setEventType(io.tributary.schemas.EventType.valueOf(type))
                .setDomain(io.tributary.schemas.Domain.COMMERCE)
                .setEventTime(Instant.ofEpochMilli(now))
                .setIngestTime(Instant.ofEpochMilli(now))
                .setProducer("bench")
                .setOrigin(new io.tributary.schemas.Origin("bench", 0, 0L))
                .setPayload(
                        io.tributary.schemas.commerce.CommerceEvent.newBuilder()
                                .setOrderId("o-" + account)
                                .setAccountId(account)
                                .setAmountMinor(1999)
                                .setCurrency("EUR")
                                .setCountry("DE")
                                // The fields the job's validator requires of payment events;
                                // without them every event went to the dead-letter topic.
                                .setPaymentId("p-" + UUID.randomUUID())
                                .setPaymentMethod("card")
                                .setFailureReason(
                                        type.equals("PAYMENT_FAILED") ? "card_declined" : null)
                                .build())
                .build();
    }

    private static long pct(List<Long> sorted, int percentile) {
        if (sorted.isEmpty()) {
            return -1;
        }
        return sorted.get(
                Math.min(
                        sorted.size() - 1,
                        (int) Math.ceil(percentile / 100.0 * sorted.size()) - 1));
    }

    private void write(List<String> throughputRows, List<String> eachRuleRows, String latencyRow)
            throws Exception {
        StringBuilder text =
                new StringBuilder()
                        .append("# CEP rules throughput and detection latency\n\n")
                        .append("Measured ")
                        .append(Instant.now())
                        .append(" on ")
                        .append(Runtime.getRuntime().availableProcessors())
                        .append(" cores; broker on the same machine; parallelism 2, ")
                        .append(stateBackend)
                        .append(" state (timers: ")
                        .append(timerState)
                        .append("; rule state of ")
                        .append(stateCacheKeys)
                        .append(
                                " keys per subtask cached on the heap, RocksDB only), checkpoints every ")
                        .append(checkpointInterval)
                        .append(", alerts EXACTLY_ONCE.\n\n")
                        .append(
                                String.format(
                                        Locale.ROOT,
                                        "## Throughput: %,d canonical events (all domains, as generated), bounded runs after one warm-up with the shipped rules\n\n",
                                        events))
                        .append(
                                "Each run includes job start (~3 s) and the final commit. Beyond the nine shipped rules, each rule is cloned under new ids")
                        .append(
                                " (100 rules: eleven or twelve of each): *market variants* narrow the clone's first step to one region, country,")
                        .append(
                                " IoT site or rendition (rendition-ladder-incomplete, which begins with an upload, is copied as is);")
                        .append(
                                " *exact copies* keep the pattern under a new id. Both kinds are rule families: they share their original's NFA run per key")
                        .append(
                                " while they agree on how a match starts, so they cost their first-step conditions and their alerts.\n\n")
                        .append(
                                String.format(
                                        Locale.ROOT,
                                        "%d rounds, each running every rule count once; the table gives the median events/s of the whole run, the median of each round's ratio to the 1-rule run of the same round, the same two for the steady state (events/s between 10%% and 90%% of the events, read every %d ms from the source's records-out metric: without job start and the final commit), and every round's figures, whole (steady) (a run cancelled at the run limit counts as its bound).%n%n",
                                        rounds,
                                        LocalRuns.METRICS_REFRESH.toMillis()))
                        .append(
                                "| rules | events/s, whole run (median) | of 1 rule | events/s, steady state (median) | of 1 rule | rounds: whole (steady) |\n|---|---|---|---|---|---|\n");
        throughputRows.forEach(r -> text.append(r).append('\n'));
        if (!eachRuleRows.isEmpty()) {
            text.append(
                    "\n## Each shipped rule alone (same events)\n\n| rule | key | events/s |\n|---|---|---|\n");
            eachRuleRows.forEach(r -> text.append(r).append('\n'));
        }
        if (latencyRow != null) {
            text.append(
                            "\n## Detection latency (card-testing sequences at a fixed rate; out-of-orderness 100 ms)\n\n")
                    .append(
                            String.format(
                                    Locale.ROOT,
                                    "From sending the event that completes a match to the alert's detection time (*emitted*) and to a read_committed consumer seeing it. *Steady state* leaves out the alerts of the first %d s of traffic (the JIT still compiling the job's code) and the last %d s (the watermark stops with the traffic). Halfway, a rule set is published that adds a rule keyed by a key shape no rule had; the rows split the steady state at publishing and at the new set's effective time.%n%n",
                                    WARM_UP.toSeconds(),
                                    DRAIN.toSeconds()))
                    .append(
                            "| run | emitted p50 ms | emitted p99 ms | emitted max ms | visible to read_committed p50 ms | p99 ms | alerts |\n|---|---|---|---|---|---|---|\n")
                    .append(latencyRow)
                    .append('\n');
        }
        LocalRuns.writeResults(results, text.toString());
    }
}
