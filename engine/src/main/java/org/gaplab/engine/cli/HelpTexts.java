package org.gaplab.engine.cli;

import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The command list of {@code gaplab --help}: each command with its header, or else the first
 * full sentence of its description, wrapped under the name (picocli's own list cuts a description
 * at the first line break, mid-sentence).
 */
final class HelpTexts {
    private HelpTexts() {}

    /** Replaces picocli's command list with {@link #commandList}. */
    static void install(CommandLine cl) {
        cl.getHelpSectionMap().put(CommandLine.Model.UsageMessageSpec.SECTION_KEY_COMMAND_LIST,
                help -> commandList(help.commandSpec(), cl.getUsageHelpWidth()));
    }

    /**
     * @param spec the top-level command
     * @param width the help width in columns
     * @return the command list, one entry per subcommand
     */
    static String commandList(CommandSpec spec, int width) {
        Map<String, CommandLine> subs = spec.subcommands();
        int nameWidth = subs.keySet().stream().mapToInt(String::length).max().orElse(0);
        StringBuilder b = new StringBuilder();
        java.util.Set<CommandSpec> seen = new java.util.HashSet<>();
        for (Map.Entry<String, CommandLine> e : subs.entrySet()) {
            CommandSpec sub = e.getValue().getCommandSpec();
            if (!seen.add(sub)) {
                continue; // an alias
            }
            String indent = " ".repeat(2 + nameWidth + 2);
            List<String> lines = wrap(summary(sub), Math.max(40, width - indent.length()));
            b.append("  ").append(e.getKey()).append(" ".repeat(nameWidth - e.getKey().length() + 2)).append(lines.get(0)).append('\n');
            for (int i = 1; i < lines.size(); i++) {
                b.append(indent).append(lines.get(i)).append('\n');
            }
        }
        return b.toString();
    }

    /** The header when there is one, else the description up to the end of its first sentence. */
    static String summary(CommandSpec spec) {
        String[] header = spec.usageMessage().header();
        if (header.length > 0 && !header[0].isBlank()) {
            return header[0].trim();
        }
        StringBuilder text = new StringBuilder();
        for (String line : spec.usageMessage().description()) {
            if (line.isBlank()) {
                break;
            }
            text.append(text.length() == 0 ? "" : " ").append(line.trim());
        }
        String s = text.toString().replaceAll("@\\|\\w+ ([^|]*)\\|@", "$1");
        int end = firstSentenceEnd(s);
        String sentence = end < 0 ? s : s.substring(0, end + 1);
        // a sentence that goes on into a long list keeps its lead clause (what precedes the colon)
        int colon = sentence.indexOf(": ");
        return sentence.length() > 200 && colon > 0 ? sentence.substring(0, colon) + "." : sentence;
    }

    /** Index of the period that ends the first sentence (not one inside "e.g." or a number). */
    private static int firstSentenceEnd(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '.' && (i + 1 == s.length() || s.charAt(i + 1) == ' ')
                    && !s.substring(Math.max(0, i - 4), i + 1).endsWith("e.g.") && !s.substring(Math.max(0, i - 4), i + 1).endsWith("i.e.")) {
                return i;
            }
        }
        return -1;
    }

    static List<String> wrap(String text, int width) {
        List<String> out = new ArrayList<>();
        StringBuilder line = new StringBuilder();
        for (String word : text.split(" ")) {
            if (line.length() > 0 && line.length() + 1 + word.length() > width) {
                out.add(line.toString());
                line.setLength(0);
            }
            line.append(line.length() == 0 ? "" : " ").append(word);
        }
        out.add(line.toString());
        return out;
    }
}
