package io.tributary.testkit.infra;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class FreePortsTest {

    @Test
    void neverHandsOutAPortTwice() {
        // Each probe closes its socket at once, so the kernel is free to offer the same port again.
        Set<Integer> ports = new HashSet<>();
        for (int i = 0; i < 200; i++) {
            assertThat(ports.add(FreePorts.next())).as("port handed out twice").isTrue();
        }
    }
}
