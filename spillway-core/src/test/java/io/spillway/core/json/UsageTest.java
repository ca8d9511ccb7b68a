package io.spillway.core.json;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class UsageTest {

    @Test
    void fromResult_readsTheTopLevelUsage_pastOtherFieldsAndNestedOnes() {
        var u = Usage.fromResult("{\"text\":\"a\",\"nested\":{\"usage\":{\"cost\":9}},\"vectors\":[[1,2],[3]],"
                + "\"usage\":{\"model\":\"m\",\"input_tokens\":1000,\"output_tokens\":200,\"cost\":0.8},\"after\":1}");

        assertThat(u.model()).isEqualTo("m");
        assertThat(u.inputTokens()).isEqualTo(1000);
        assertThat(u.outputTokens()).isEqualTo(200);
        assertThat(u.cost()).isEqualTo(0.8);
    }

    @Test
    void fromResult_isNullWithoutAnObjectUsage() {
        assertThat(Usage.fromResult("{\"text\":\"no usage here\"}")).isNull();
        assertThat(Usage.fromResult("{\"nested\":{\"usage\":{\"cost\":9}}}")).isNull();
        assertThat(Usage.fromResult("{\"usage\":\"free\"}")).isNull();
        assertThat(Usage.fromResult("[\"usage\"]")).isNull();
        assertThat(Usage.fromResult("{\"usage\": {")).isNull();
    }
}
