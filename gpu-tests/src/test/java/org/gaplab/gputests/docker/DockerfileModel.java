package org.gaplab.gputests.docker;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Dockerfile read into stages and instructions, enough for static checks: line continuations
 * joined, comment lines dropped, global {@code ARG} defaults substituted into {@code FROM}.
 */
final class DockerfileModel {
    /** One instruction, keyword upper-cased, arguments as written (continuations joined). */
    record Instruction(String keyword, String args) {}

    /** One build stage. */
    record Stage(int index, String name, String base, List<Instruction> instructions) {
        List<Instruction> all(String keyword) {
            return instructions.stream().filter(i -> i.keyword().equals(keyword)).toList();
        }

        /** @return ENV keys to values (last wins) */
        Map<String, String> env() {
            Map<String, String> m = new LinkedHashMap<>();
            for (Instruction i : all("ENV")) {
                for (String kv : i.args().trim().split("\\s+")) {
                    int eq = kv.indexOf('=');
                    if (eq > 0) {
                        m.put(kv.substring(0, eq), kv.substring(eq + 1));
                    }
                }
            }
            return m;
        }

        /** @return the last WORKDIR, or "/" */
        String workdir() {
            List<Instruction> w = all("WORKDIR");
            return w.isEmpty() ? "/" : w.get(w.size() - 1).args().trim();
        }
    }

    /** A COPY/ADD: {@code --from} stage (or null), sources and destination. */
    record Copy(String from, List<String> sources, String destination) {
        static Copy parse(String args) {
            List<String> words = new ArrayList<>(List.of(args.trim().split("\\s+")));
            String from = null;
            while (!words.isEmpty() && words.get(0).startsWith("--")) {
                String flag = words.remove(0);
                if (flag.startsWith("--from=")) {
                    from = flag.substring("--from=".length());
                }
            }
            String dest = words.remove(words.size() - 1);
            return new Copy(from, words, dest);
        }
    }

    final Map<String, String> globalArgs = new LinkedHashMap<>();
    final List<Stage> stages = new ArrayList<>();

    private static final Pattern VAR = Pattern.compile("\\$\\{?([A-Za-z_][A-Za-z0-9_]*)}?");

    static DockerfileModel parse(String text) {
        DockerfileModel m = new DockerfileModel();
        List<Instruction> current = null;
        StringBuilder pending = new StringBuilder();
        for (String raw : text.split("\\R")) {
            String line = raw.strip();
            if (line.startsWith("#") || (line.isEmpty() && pending.length() == 0)) {
                continue;
            }
            if (line.endsWith("\\")) {
                pending.append(line, 0, line.length() - 1).append(' ');
                continue;
            }
            pending.append(line);
            String full = pending.toString().strip();
            pending.setLength(0);
            if (full.isEmpty()) {
                continue;
            }
            String[] kw = full.split("\\s+", 2);
            Instruction ins = new Instruction(kw[0].toUpperCase(Locale.ROOT), kw.length > 1 ? kw[1] : "");
            if (ins.keyword().equals("FROM")) {
                String[] parts = ins.args().trim().split("\\s+");
                String base = m.substitute(parts[0]);
                String name = parts.length >= 3 && parts[1].equalsIgnoreCase("AS") ? parts[2] : null;
                current = new ArrayList<>();
                m.stages.add(new Stage(m.stages.size(), name, base, current));
            } else if (current == null) {
                if (ins.keyword().equals("ARG")) {
                    String a = ins.args().trim();
                    int eq = a.indexOf('=');
                    m.globalArgs.put(eq < 0 ? a : a.substring(0, eq), eq < 0 ? null : a.substring(eq + 1));
                }
            } else {
                current.add(ins);
            }
        }
        return m;
    }

    String substitute(String s) {
        Matcher v = VAR.matcher(s);
        StringBuilder out = new StringBuilder();
        while (v.find()) {
            String value = globalArgs.get(v.group(1));
            v.appendReplacement(out, Matcher.quoteReplacement(value == null ? v.group() : value));
        }
        v.appendTail(out);
        return out.toString();
    }

    Stage finalStage() {
        return stages.get(stages.size() - 1);
    }

    Stage stage(String name) {
        return stages.stream().filter(s -> name.equals(s.name())).findFirst().orElse(null);
    }

    /** @return the stages {@code s} is built on, root first, ending with {@code s} itself */
    List<Stage> lineage(Stage s) {
        List<Stage> chain = new ArrayList<>();
        for (Stage at = s; at != null; at = earlierStage(at)) {
            chain.add(0, at);
        }
        return chain;
    }

    private Stage earlierStage(Stage s) {
        Stage base = stage(s.base());
        return base != null && base.index() < s.index() ? base : null;
    }

    /** @return the instructions of {@code keyword} in {@code s} and the stages it is built on, in order */
    List<Instruction> inherited(Stage s, String keyword) {
        return lineage(s).stream().flatMap(st -> st.all(keyword).stream()).toList();
    }

    /** @return ENV keys to values over {@code s} and the stages it is built on (last wins) */
    Map<String, String> inheritedEnv(Stage s) {
        Map<String, String> m = new LinkedHashMap<>();
        lineage(s).forEach(st -> m.putAll(st.env()));
        return m;
    }

    /** @return the last WORKDIR over {@code s} and the stages it is built on, or "/" */
    String inheritedWorkdir(Stage s) {
        List<Instruction> w = inherited(s, "WORKDIR");
        return w.isEmpty() ? "/" : w.get(w.size() - 1).args().trim();
    }

    /** @return every problem of pinning: FROM images must carry a version tag or a digest */
    List<String> unpinnedBases() {
        List<String> bad = new ArrayList<>();
        for (Stage s : stages) {
            String b = s.base();
            if (stage(b) != null && stage(b).index() < s.index()) {
                continue; // built on an earlier stage
            }
            boolean digest = b.matches(".+@sha256:[0-9a-f]{64}");
            int colon = b.lastIndexOf(':');
            String tag = colon > b.lastIndexOf('/') ? b.substring(colon + 1) : "";
            boolean versionTag = !tag.isEmpty() && !tag.contains("latest") && tag.matches(".*\\d.*");
            if (!digest && !versionTag) {
                bad.add(b);
            }
        }
        return bad;
    }

    /** @return the user of the final stage's last USER, or null when there is none */
    String finalUser() {
        return user(finalStage());
    }

    /** @return the last USER over {@code s} and the stages it is built on, or null when there is none */
    String user(Stage s) {
        List<Instruction> u = inherited(s, "USER");
        return u.isEmpty() ? null : u.get(u.size() - 1).args().trim();
    }

    static boolean isRoot(String user) {
        if (user == null) {
            return true;
        }
        String name = user.split(":")[0];
        return name.equals("root") || name.equals("0");
    }
}
