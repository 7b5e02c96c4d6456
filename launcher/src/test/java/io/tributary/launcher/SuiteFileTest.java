package io.tributary.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SuiteFileTest {
    private static final Map<String, String> VARIABLES =
            Map.of("KAFKA", "kafka:9092", "CHECKPOINTS", "s3://state/checkpoints");

    @Test
    void eachLineIsAJobWithItsArgumentsContinuationsQuotesAndVariables() {
        List<SuiteFile.Entry> entries =
                SuiteFile.parse(
                        "suite.conf",
                        List.of(
                                "# the suite",
                                "",
                                "ingest --bootstrap-servers ${KAFKA} \\",
                                "       --checkpoint-dir ${CHECKPOINTS}/ingest",
                                "sinks-warehouse --jdbc-url \"jdbc:postgresql://db/tributary?ApplicationName=tributary warehouse\""),
                        VARIABLES);

        assertThat(entries).hasSize(2);
        assertThat(entries.get(0).job()).isEqualTo(SuiteJob.INGEST);
        assertThat(entries.get(0).args())
                .containsExactly(
                        "--bootstrap-servers",
                        "kafka:9092",
                        "--checkpoint-dir",
                        "s3://state/checkpoints/ingest");
        assertThat(entries.get(0).line()).isEqualTo(3);
        assertThat(entries.get(1).job()).isEqualTo(SuiteJob.SINKS_WAREHOUSE);
        assertThat(entries.get(1).args())
                .containsExactly(
                        "--jdbc-url",
                        "jdbc:postgresql://db/tributary?ApplicationName=tributary warehouse");
    }

    @Test
    void mistakesNameTheFileLineAndColumn() {
        assertThatThrownBy(
                        () ->
                                SuiteFile.parse(
                                        "suite.conf",
                                        List.of("ingest --bootstrap-servers ${KAFAK}"),
                                        VARIABLES))
                .hasMessage(
                        "suite.conf:1:28: ${KAFAK} is not set (pass --set KAFAK=... or set the environment variable)");
        assertThatThrownBy(
                        () -> SuiteFile.parse("suite.conf", List.of("", "ingset --x"), VARIABLES))
                .hasMessageStartingWith(
                        "suite.conf:2: unknown job 'ingset'; the suite's jobs are ingest, aggregations,");
        assertThatThrownBy(
                        () ->
                                SuiteFile.parse(
                                        "suite.conf", List.of("ingest --x \"open"), VARIABLES))
                .hasMessage("suite.conf:1: a double quote is not closed");
    }

    @Test
    void aJobsJarIsFoundInAJarDirectoryOrInTheRepositoryLayout(@TempDir Path dir) throws Exception {
        Path usrlib = Files.createDirectories(dir.resolve("usrlib"));
        Files.createFile(usrlib.resolve("tributary-sinks-lake-1.2.0-job.jar"));
        Files.createFile(usrlib.resolve("tributary-sinks-lake-1.2.0.jar"));
        Files.createFile(usrlib.resolve("tributary-sinks-lake-extra-1.2.0-job.jar"));
        assertThat(SuiteJob.SINKS_LAKE.jarIn(usrlib).getFileName().toString())
                .isEqualTo("tributary-sinks-lake-1.2.0-job.jar");

        Path target = Files.createDirectories(dir.resolve("repo/jobs/ingest/target"));
        Files.createFile(target.resolve("tributary-ingest-0.1.0-SNAPSHOT-job.jar"));
        assertThat(SuiteJob.INGEST.jarIn(dir.resolve("repo")))
                .isEqualTo(target.resolve("tributary-ingest-0.1.0-SNAPSHOT-job.jar"));

        assertThatThrownBy(() -> SuiteJob.MEDIA.jarIn(usrlib))
                .hasMessageContaining("no jar of job 'media'")
                .hasMessageContaining("mvn -B package -pl jobs/media -am");
    }
}
