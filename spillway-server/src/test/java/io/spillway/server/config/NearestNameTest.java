package io.spillway.server.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class NearestNameTest {
    private static final List<String> FLAGS = List.of("--port", "--host", "--data-dir", "--store", "--store-schema");

    @Test
    void among_findsTyposSwapsAndMissingLetters() {
        assertThat(NearestName.among("--prot", FLAGS)).contains("--port");
        assertThat(NearestName.among("--data-dri", FLAGS)).contains("--data-dir");
        assertThat(NearestName.among("--store-schem", FLAGS)).contains("--store-schema");
        assertThat(NearestName.among("--HOST", FLAGS)).contains("--host");
        assertThat(NearestName.among("--host", FLAGS)).isEmpty();
    }

    @Test
    void among_isEmptyWhenNothingIsClose() {
        assertThat(NearestName.among("--verbose", FLAGS)).isEmpty();
        assertThat(NearestName.among("-x", FLAGS)).isEmpty();
    }

    @Test
    void distance_countsASwapAsOneEdit() {
        assertThat(NearestName.distance("prot", "port")).isEqualTo(1);
        assertThat(NearestName.distance("kitten", "sitting")).isEqualTo(3);
        assertThat(NearestName.distance("", "abc")).isEqualTo(3);
    }
}
