package org.gaplab.engine.experiment;

import static org.assertj.core.api.Assertions.assertThat;

import org.w3c.dom.Document;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;

/** Assertions that a figure was written as a real PNG and a well-formed SVG. */
public final class FigureFiles {
    private static final byte[] PNG_MAGIC = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

    private FigureFiles() {}

    /** Checks {@code base.png} (magic bytes, > 5 kB) and {@code base.svg} (parses, root svg, > 5 kB). */
    public static void assertValid(Path base) throws Exception {
        Path png = base.resolveSibling(base.getFileName() + ".png");
        Path svg = base.resolveSibling(base.getFileName() + ".svg");
        byte[] head = Files.readAllBytes(png);
        assertThat(head.length).as("%s size", png).isGreaterThan(5_000);
        for (int i = 0; i < PNG_MAGIC.length; i++) {
            assertThat(head[i]).as("%s magic byte %d", png, i).isEqualTo(PNG_MAGIC[i]);
        }
        assertThat(Files.size(svg)).as("%s size", svg).isGreaterThan(5_000);
        assertThat(parse(svg).getDocumentElement().getLocalName()).isEqualTo("svg");
    }

    private static Document parse(Path svg) throws Exception {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setNamespaceAware(true);
        // never fetch a DTD from the network
        f.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
        f.setAttribute(XMLConstants.ACCESS_EXTERNAL_DTD, "");
        DocumentBuilder b = f.newDocumentBuilder();
        try {
            return b.parse(svg.toFile());
        } catch (IOException e) {
            throw new AssertionError("cannot read " + svg, e);
        }
    }
}
