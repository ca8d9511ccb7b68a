package io.spillway.store.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Keeps docs/architecture.md's count of the contract's tests true. */
class ContractDocTest {

    @Test
    void architectureDoc_countsTheContractsTests() throws Exception {
        long tests = Arrays.stream(JobStoreContract.class.getDeclaredMethods())
                .filter(m -> m.isAnnotationPresent(Test.class)).count();
        var doc = Files.readString(Path.of("..", "docs", "architecture.md"));

        var written = Pattern.compile("`JobStoreContract` \\((\\d+) tests").matcher(doc);

        assertThat(written.find()).as("docs/architecture.md gives the number of JobStoreContract's tests").isTrue();
        assertThat(Long.parseLong(written.group(1))).as("JobStoreContract's tests in docs/architecture.md").isEqualTo(tests);
    }
}
