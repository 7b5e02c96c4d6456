package io.tributary.testkit.junit;

import io.tributary.schemas.registry.SchemaRegistryClient;
import io.tributary.testkit.infra.SchemaRegistry;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real Confluent-API schema registry shared by the tests of one class: {@code @RegisterExtension
 * static final RealSchemaRegistry REGISTRY = new RealSchemaRegistry();}
 */
public final class RealSchemaRegistry implements BeforeAllCallback, AfterAllCallback {
    private SchemaRegistry registry;

    @Override
    public void beforeAll(ExtensionContext context) {
        registry = SchemaRegistry.start();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (registry != null) {
            registry.close();
            registry = null;
        }
    }

    public String url() {
        return registry().url();
    }

    public SchemaRegistryClient client() {
        return registry().client();
    }

    private SchemaRegistry registry() {
        if (registry == null) {
            throw new IllegalStateException(
                    "RealSchemaRegistry must be a static @RegisterExtension field");
        }
        return registry;
    }
}
