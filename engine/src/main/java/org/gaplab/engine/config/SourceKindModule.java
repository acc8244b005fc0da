package org.gaplab.engine.config;

import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.fasterxml.jackson.databind.annotation.JsonTypeIdResolver;
import com.fasterxml.jackson.databind.module.SimpleModule;

import org.gaplab.datasets.SourceConfig;

/**
 * Teaches gaplab's JSON/YAML mappers ({@link org.gaplab.core.Json}) that {@code data.kind} selects
 * the source config record ({@link SourceKinds}). Registered as a Jackson module under
 * {@code META-INF/services}, so the mappers in the core module pick it up without depending on
 * the engine.
 */
public final class SourceKindModule extends SimpleModule {
    private static final long serialVersionUID = 1L;

    /** Mix-in that makes {@code data.kind} select the source config record. */
    @JsonTypeInfo(use = JsonTypeInfo.Id.CUSTOM, include = JsonTypeInfo.As.PROPERTY, property = "kind")
    @JsonTypeIdResolver(SourceKindIdResolver.class)
    interface SourceConfigMixin {}

    /** The module; found by {@link java.util.ServiceLoader}. */
    public SourceKindModule() {
        super("gaplab-source-kinds");
        setMixInAnnotation(SourceConfig.class, SourceConfigMixin.class);
    }
}
