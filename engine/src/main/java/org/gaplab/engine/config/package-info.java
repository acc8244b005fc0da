/**
 * Run configuration: immutable, validated records, loaded from YAML or JSON over the defaults,
 * with {@code key=value} overrides by dotted key. A bad value fails when the config is built,
 * with one line naming the key ({@link ConfigException}).
 */
package org.gaplab.engine.config;
