/**
 * Run configuration: immutable, validated records, loaded from YAML or JSON over the defaults,
 * with {@code key=value} overrides by dotted key. A bad value fails when the config is built,
 * with one line naming the key ({@link ConfigException}). The source kinds a config may name as
 * {@code data.kind} are registered in {@link SourceKinds}; {@link SourceKindModule} teaches the
 * JSON/YAML mappers of the core module to read them.
 */
package org.gaplab.engine.config;
