package io.tributary.schemas.compat;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class SchemaCompatibilityGateTest {
    private static final Path FIXTURES = Path.of("src/test/resources/compat");

    @Test
    void acceptsACompatibleNextVersion() throws Exception {
        assertThat(check("compatible")).isEmpty();
    }

    @Test
    void rejectsAnIncompatibleVersionNamingTheFieldAndTheRule() throws Exception {
        List<String> problems = check("incompatible");

        assertThat(problems)
                .anySatisfy(
                        p ->
                                assertThat(p)
                                        .startsWith(
                                                "io.tributary.fixture.Reading: field 'unit' breaks READER_FIELD_MISSING_DEFAULT_VALUE"))
                .anySatisfy(
                        p ->
                                assertThat(p)
                                        .startsWith(
                                                "io.tributary.fixture.Reading: field 'value' breaks TYPE_MISMATCH"));
    }

    @Test
    void theReleasedProjectSchemasPassTheGate() throws Exception {
        assertThat(
                        SchemaCompatibilityGate.check(
                                SchemaCompatibilityGate.loadSources(Path.of("src/main/avro")),
                                SchemaCompatibilityGate.loadHistory(Path.of("schema-history"))))
                .isEmpty();
        assertThat(SchemaCompatibilityGate.loadHistory(Path.of("schema-history")))
                .containsKeys("io.tributary.schemas.Envelope", "io.tributary.schemas.DeadLetter");
    }

    @Test
    void theGateExitsNonZeroSoTheBuildFails() throws Exception {
        Process gate =
                new ProcessBuilder(
                                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                                "-cp",
                                System.getProperty("java.class.path"),
                                SchemaCompatibilityGate.class.getName(),
                                FIXTURES.resolve("incompatible").toString(),
                                FIXTURES.resolve("released").toString())
                        .redirectErrorStream(true)
                        .start();
        String output = new String(gate.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(gate.waitFor(60, TimeUnit.SECONDS)).isTrue();

        assertThat(gate.exitValue()).isEqualTo(1);
        assertThat(output).contains("FAILED (rule: BACKWARD)").contains("field 'unit'");
    }

    private static List<String> check(String candidate) throws Exception {
        return SchemaCompatibilityGate.check(
                SchemaCompatibilityGate.loadSources(FIXTURES.resolve(candidate)),
                SchemaCompatibilityGate.loadHistory(FIXTURES.resolve("released")));
    }
}
