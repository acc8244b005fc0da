package org.gaplab.engine.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.InvalidTypeIdException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.databind.node.ObjectNode;

import org.gaplab.core.Json;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Builds a {@link RunConfig} from the defaults, an optional YAML/JSON file and {@code key=value}
 * overrides (dotted keys, values in YAML syntax: {@code optim.lr=1e-3},
 * {@code model.tower1.hidden=[64,64]}). Every failure is a {@link ConfigException} with one line
 * naming the file or key.
 */
public final class ConfigLoader {
    private ConfigLoader() {}

    /**
     * @param file a {@code .yaml}, {@code .yml} or {@code .json} file, or null for the defaults
     * @param overrides {@code key=value} strings applied after the file, in order
     * @return the validated config
     */
    public static RunConfig load(Path file, List<String> overrides) {
        return load(RunConfig.defaults(), file, overrides);
    }

    /** As {@link #load(Path, List)} but over another base config. */
    public static RunConfig load(RunConfig base, Path file, List<String> overrides) {
        ObjectNode tree = toTree(base);
        ObjectNode userTree = null;
        if (file != null) {
            ObjectNode user = (ObjectNode) readFile(file);
            // gaplab's own config.json carries a schema version; accept it, refuse newer ones
            JsonNode version = user.remove("schema_version");
            if (version != null && version.asInt() > RunConfig.SCHEMA_VERSION) {
                throw new ConfigException("config file " + file + " has schema_version " + version.asInt()
                        + "; this gaplab reads up to " + RunConfig.SCHEMA_VERSION);
            }
            merge(tree, user, "");
            userTree = user;
        }
        applyOverrides(tree, overrides);
        final ObjectNode fromFile = userTree;
        return inferInputDims(tree, bind(tree), key -> (fromFile != null && given(fromFile, key))
                || (overrides != null && overrides.stream().anyMatch(o -> o.indexOf('=') > 0 && covers(o.substring(0, o.indexOf('=')).trim(), key))));
    }

    /** @return whether the dotted key (or an object above it) is set in the tree */
    private static boolean given(JsonNode tree, String key) {
        JsonNode n = tree;
        for (String part : key.split("\\.")) {
            n = n.path(part);
        }
        return !n.isMissingNode();
    }

    /** @return whether setting {@code setKey} sets {@code key} (the key itself, or an object that holds it) */
    private static boolean covers(String setKey, String key) {
        return key.equals(setKey) || key.startsWith(setKey + ".");
    }

    /**
     * Takes a tower's input_dim from the data when the user did not give it: with {@code data.kind:
     * files} the feature files say how many columns each modality has, so a tower still at the
     * default input_dim takes that number (logged). A given input_dim is kept, and a mismatch is
     * the usual one-line error.
     */
    private static RunConfig inferInputDims(ObjectNode tree, RunConfig rc, java.util.function.Predicate<String> given) {
        if (!(rc.data() instanceof org.gaplab.datasets.paired.FilePairsConfig)) {
            return rc;
        }
        RunConfig defaults = RunConfig.defaults();
        boolean free1 = !given.test("model.tower1.input_dim") && rc.model().tower1().inputDim() == defaults.model().tower1().inputDim();
        boolean free2 = !given.test("model.tower2.input_dim") && rc.model().tower2().inputDim() == defaults.model().tower2().inputDim();
        if (!free1 && !free2) {
            return rc;
        }
        org.gaplab.datasets.PairedSource src = rc.data().build();
        boolean changed = false;
        if (free1 && src.dimX() != rc.model().tower1().inputDim()) {
            set(tree, "model.tower1.input_dim", Json.MAPPER.valueToTree(src.dimX()));
            changed = true;
        }
        if (free2 && src.dimY() != rc.model().tower2().inputDim()) {
            set(tree, "model.tower2.input_dim", Json.MAPPER.valueToTree(src.dimY()));
            changed = true;
        }
        if (!changed) {
            return rc;
        }
        org.apache.logging.log4j.LogManager.getLogger(ConfigLoader.class).info(
                "model.tower1.input_dim = {}, model.tower2.input_dim = {}: the columns of data.x and data.y (not given; set them to choose)",
                src.dimX(), src.dimY());
        return bind(tree);
    }

    /** Applies {@code key=value} overrides to a config tree, in order. */
    private static void applyOverrides(ObjectNode tree, List<String> overrides) {
        for (String o : overrides == null ? List.<String>of() : overrides) {
            int eq = o.indexOf('=');
            if (eq <= 0) {
                throw new ConfigException("--set expects key=value, got '" + o + "'");
            }
            set(tree, o.substring(0, eq).trim(), parseScalar(o.substring(eq + 1)));
        }
    }

    /**
     * Builds any config record the way {@link #load(RunConfig, Path, List)} builds a run's: the base
     * record as a tree, then a YAML/JSON file, then {@code key=value} overrides, bound and
     * validated by the record's constructor. An experiment's config loads this way, so every field
     * of it (nested run configs included) is a settable key with the same one-line errors.
     *
     * @param type the record type
     * @param base the defaults
     * @param file a {@code .yaml}, {@code .yml} or {@code .json} file, or null
     * @param overrides {@code key=value} strings applied after the file, in order
     * @return the validated record
     */
    public static <T extends Record> T loadRecord(Class<T> type, T base, Path file, List<String> overrides) {
        ObjectNode defaults = Json.MAPPER.valueToTree(base);
        ObjectNode tree = defaults.deepCopy();
        if (file != null) {
            ObjectNode user = (ObjectNode) readFile(file);
            user.remove("schema_version");
            merge(tree, user, "");
        }
        applyOverrides(tree, overrides);
        return bind(tree, type, defaults);
    }

    /**
     * Applies typed overrides (as a sweep does) to a base config.
     *
     * @param base the config to start from
     * @param overrides dotted key to value (numbers, strings, booleans, lists)
     * @return the validated config
     */
    public static RunConfig override(RunConfig base, Map<String, ?> overrides) {
        ObjectNode tree = toTree(base);
        overrides.forEach((k, v) -> set(tree, k, Json.MAPPER.valueToTree(v)));
        return inferInputDims(tree, bind(tree), key -> overrides.keySet().stream().anyMatch(k -> covers(k, key)));
    }

    /**
     * Binds a stored config (e.g. from a checkpoint) over the current defaults: keys added to
     * gaplab after it was written take their defaults, so old checkpoints keep loading; keys this
     * version does not know still fail.
     */
    public static RunConfig fromStored(ObjectNode stored) {
        ObjectNode tree = toTree(RunConfig.defaults());
        ObjectNode copy = stored.deepCopy();
        copy.remove("schema_version");
        merge(tree, copy, "");
        return bind(tree);
    }

    /** @return the config as a JSON tree (every key present) */
    public static ObjectNode toTree(RunConfig config) {
        return Json.MAPPER.valueToTree(config);
    }

    /** Reads a config file written by gaplab or a user. */
    public static RunConfig read(Path file) {
        return load(file, List.of());
    }

    static JsonNode readFile(Path file) {
        String name = file.getFileName().toString().toLowerCase(java.util.Locale.ROOT);
        ObjectMapper mapper = name.endsWith(".json") ? Json.MAPPER : Json.YAML;
        if (!(name.endsWith(".json") || name.endsWith(".yaml") || name.endsWith(".yml"))) {
            throw new ConfigException("config file " + file + ": expected a .yaml, .yml or .json file");
        }
        JsonNode node;
        try {
            node = strictTree(mapper, Files.readString(file));
        } catch (NoSuchFileException e) {
            throw new ConfigException("config file " + file + " does not exist");
        } catch (MismatchedInputException e) {
            throw new ConfigException("config file " + file + ": " + duplicateKey(e));
        } catch (JsonProcessingException e) {
            throw new ConfigException("config file " + file + " is not valid " + (mapper == Json.MAPPER ? "JSON" : "YAML")
                    + ": " + firstLine(e.getOriginalMessage()));
        } catch (IOException e) {
            throw new ConfigException("config file " + file + " cannot be read: " + e.getMessage());
        }
        if (node == null || node.isMissingNode() || node.isNull()) {
            throw new ConfigException("config file " + file + " is empty");
        }
        if (!node.isObject()) {
            throw new ConfigException("config file " + file + ": the top level must be a mapping of keys");
        }
        return node;
    }

    /**
     * Reads a tree refusing duplicate keys: YAML and JSON parsers keep the last of two equal keys,
     * which silently drops the first value a person wrote.
     */
    private static JsonNode strictTree(ObjectMapper mapper, String text) throws JsonProcessingException {
        return mapper.reader().with(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY).readTree(text);
    }

    /** One line for Jackson's duplicate-key error (the only mismatch a plain tree read reports). */
    private static String duplicateKey(MismatchedInputException e) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("Duplicate field '([^']*)'").matcher(String.valueOf(e.getOriginalMessage()));
        String where = e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ")";
        return m.find() ? "key '" + m.group(1) + "' is given twice" + where + "; keep one"
                : firstLine(e.getOriginalMessage());
    }

    private static JsonNode parseScalar(String text) {
        try {
            JsonNode n = strictTree(Json.YAML, text.isEmpty() ? "''" : text);
            return n == null || n.isMissingNode() ? Json.MAPPER.getNodeFactory().textNode(text) : n;
        } catch (MismatchedInputException e) {
            throw new ConfigException("--set " + text + ": " + duplicateKey(e));
        } catch (JsonProcessingException e) {
            return Json.MAPPER.getNodeFactory().textNode(text);
        }
    }

    /** Deep-merges {@code src} into {@code dst}; switching {@code data.kind} resets data to that kind's defaults. */
    private static void merge(ObjectNode dst, JsonNode src, String path) {
        Iterator<Map.Entry<String, JsonNode>> it = src.fields();
        List<Map.Entry<String, JsonNode>> fields = new ArrayList<>();
        it.forEachRemaining(fields::add);
        // apply data.kind first so the other data keys merge over the right defaults
        fields.sort((a, b) -> Boolean.compare(!a.getKey().equals("kind"), !b.getKey().equals("kind")));
        for (Map.Entry<String, JsonNode> e : fields) {
            String key = path.isEmpty() ? e.getKey() : path + "." + e.getKey();
            JsonNode existing = dst.get(e.getKey());
            if (existing != null && existing.isObject() && e.getValue().isObject()) {
                merge((ObjectNode) existing, e.getValue(), key);
            } else {
                put(dst, e.getKey(), e.getValue(), key);
            }
        }
    }

    private static void set(ObjectNode root, String dottedKey, JsonNode value) {
        if (!dottedKey.matches("[A-Za-z0-9_]+(\\.[A-Za-z0-9_]+)*")) {
            throw new ConfigException("config key '" + dottedKey + "' is not a dotted key like optim.lr");
        }
        String[] parts = dottedKey.split("\\.");
        ObjectNode node = root;
        for (int i = 0; i < parts.length - 1; i++) {
            JsonNode child = node.get(parts[i]);
            if (child == null) {
                throw unknownKey(String.join(".", java.util.Arrays.copyOf(parts, i + 1)), node);
            }
            if (!child.isObject()) {
                throw new ConfigException("config key '" + dottedKey + "': '"
                        + String.join(".", java.util.Arrays.copyOf(parts, i + 1)) + "' is a value, not a section");
            }
            node = (ObjectNode) child;
        }
        if (value.isObject() && node.get(parts[parts.length - 1]) instanceof ObjectNode target) {
            merge(target, value, dottedKey);
        } else {
            put(node, parts[parts.length - 1], value, dottedKey);
        }
    }

    private static void put(ObjectNode parent, String field, JsonNode value, String fullKey) {
        if (fullKey.equals("data.kind") || fullKey.endsWith(".data.kind")) {
            String kind = value.asText();
            SourceKinds.Entry entry = SourceKinds.get(kind);
            if (entry == null) {
                throw new ConfigException("config key 'data.kind': unknown source '" + kind + "' (known: "
                        + String.join(", ", SourceKinds.all().keySet()) + ")");
            }
            if (!kind.equals(parent.path("kind").asText())) {
                ObjectNode fresh = Json.MAPPER.valueToTree(new DataHolder(entry.defaults().get()));
                parent.removeAll();
                parent.setAll((ObjectNode) fresh.get("data"));
            }
            return;
        }
        if (!parent.has(field)) {
            throw unknownKey(fullKey, parent);
        }
        parent.set(field, value);
    }

    /** Wrapper so the source config is serialised with its {@code kind}. */
    private record DataHolder(org.gaplab.datasets.SourceConfig data) {}

    private static ConfigException unknownKey(String key, JsonNode siblings) {
        List<String> known = new ArrayList<>();
        siblings.fieldNames().forEachRemaining(known::add);
        return new ConfigException("unknown config key '" + key + "' (known here: " + String.join(", ", known) + ")");
    }

    /** Binds a merged tree, turning Jackson's errors into one line naming the key. */
    static RunConfig bind(ObjectNode tree) {
        return bind(tree, RunConfig.class, toTree(RunConfig.defaults()));
    }

    /** Binds a merged tree to {@code type}, turning Jackson's errors into one line naming the key. */
    private static <T> T bind(ObjectNode tree, Class<T> type, JsonNode defaults) {
        requireIntegersInRange(tree, defaults, "");
        try {
            // integers stay integers: steps = 2.5 is an error, not 2
            return Json.MAPPER.readerFor(type).without(DeserializationFeature.ACCEPT_FLOAT_AS_INT).readValue(tree);
        } catch (UnrecognizedPropertyException e) {
            throw new ConfigException("unknown config key '" + path(e, e.getPropertyName()) + "'");
        } catch (InvalidTypeIdException e) {
            throw new ConfigException("config key '" + path(e, null) + ".kind': unknown value '" + e.getTypeId() + "'");
        } catch (InvalidFormatException e) {
            throw new ConfigException("config key '" + path(e, null) + "': cannot use '" + e.getValue() + "' as "
                    + describe(e.getTargetType()));
        } catch (ValueInstantiationException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            String p = path(e, null);
            throw new ConfigException("bad config value " + (p.isEmpty() ? "" : p + ".") + snakeField(firstLine(cause.getMessage())));
        } catch (MismatchedInputException e) {
            throw new ConfigException("config key '" + path(e, null) + "': expected " + describe(e.getTargetType()));
        } catch (JsonProcessingException e) {
            throw new ConfigException("bad config: " + firstLine(e.getOriginalMessage()));
        } catch (IOException e) {
            throw new ConfigException("bad config: " + firstLine(e.getMessage()));
        } catch (IllegalArgumentException e) {
            throw new ConfigException("bad config: " + firstLine(e.getMessage()));
        }
    }

    /**
     * Names the key of an integer too large for its field (Jackson reports those without a path):
     * every integer-valued leaf must fit a Java int unless the default of that key is a long
     * (the seed). Keys missing from the defaults (another data kind) are checked against int.
     */
    private static void requireIntegersInRange(JsonNode node, JsonNode defaults, String path) {
        if (node.isObject()) {
            node.fields().forEachRemaining(e -> requireIntegersInRange(e.getValue(),
                    defaults == null ? null : defaults.get(e.getKey()), path.isEmpty() ? e.getKey() : path + "." + e.getKey()));
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                requireIntegersInRange(node.get(i), defaults != null && defaults.isArray() && defaults.size() > 0 ? defaults.get(0) : null,
                        path + "[" + i + "]");
            }
        } else if (node.isIntegralNumber()) {
            // long-valued keys: a run's seed (also nested, e.g. run.seed) and keys whose default is a long
            boolean isLong = "seed".equals(path) || path.endsWith(".seed") || (defaults != null && defaults.isLong());
            java.math.BigInteger v = node.bigIntegerValue();
            java.math.BigInteger max = java.math.BigInteger.valueOf(isLong ? Long.MAX_VALUE : Integer.MAX_VALUE);
            java.math.BigInteger min = java.math.BigInteger.valueOf(isLong ? Long.MIN_VALUE : Integer.MIN_VALUE);
            if (v.compareTo(max) > 0 || v.compareTo(min) < 0) {
                throw new ConfigException("config key '" + path + "': " + v + " is out of range (at most " + max + ")");
            }
        }
    }

    private static String path(JsonMappingException e, String leaf) {
        List<String> parts = e.getPath().stream()
                .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
                .collect(Collectors.toCollection(ArrayList::new));
        if (leaf != null && (parts.isEmpty() || !parts.get(parts.size() - 1).equals(leaf))) {
            parts.add(leaf);
        }
        return String.join(".", parts).replace(".[", "[");
    }

    private static String describe(Class<?> type) {
        if (type == null) {
            return "this type";
        }
        if (type.isEnum()) {
            return "one of " + java.util.Arrays.stream(type.getEnumConstants()).map(Object::toString)
                    .map(s -> s.toLowerCase(java.util.Locale.ROOT)).collect(Collectors.joining(", "));
        }
        if (type == int.class || type == Integer.class || type == long.class || type == Long.class) {
            return "an integer";
        }
        if (type == double.class || type == Double.class || type == float.class) {
            return "a number";
        }
        if (type == boolean.class || type == Boolean.class) {
            return "true or false";
        }
        if (java.util.List.class.isAssignableFrom(type)) {
            return "a list";
        }
        return type.isRecord() || !type.getName().startsWith("java") ? "a section of keys" : "a " + type.getSimpleName();
    }

    /** Records name their fields in camelCase; config keys are snake_case. */
    static String snakeField(String message) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("^([A-Za-z0-9.]+)(:.*)$", java.util.regex.Pattern.DOTALL).matcher(message);
        if (!m.matches()) {
            return message;
        }
        return m.group(1).replaceAll("([a-z0-9])([A-Z])", "$1_$2").toLowerCase(java.util.Locale.ROOT) + m.group(2);
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "(no message)";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
