package org.gaplab.engine;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.library.Architectures.LayeredArchitecture;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * The layering, kept by a test rather than by memory: modules are layers (core below models below
 * datasets below engine), and inside the engine each package may use only packages on its own
 * layer or below. Read from the compiled main classes of every module, so it sees every
 * dependency the compiler wrote (imports, fully qualified names, signatures), not only import lines.
 */
class LayeringTest {
    /**
     * The engine's packages, top layer first. A package may depend on its own layer and on the
     * layers below it, never on one above; packages sharing a layer may not form a cycle either.
     */
    static final List<List<String>> ENGINE_LAYERS = List.of(
            List.of("cli"),                              // commands: parse, choose, print
            List.of("experiment"),                       // the paper's reproductions
            List.of("sweep"),                            // many runs: plans, shards, tables, comparisons
            List.of("train"),                            // the training loop and its listeners
            List.of("step"),                             // one step: gradient plan, tower backwards, data blocks, metrics
            List.of("checkpoint", "admission"),          // saved state; memory estimates and step blocking
            List.of("config", "report"),                 // validated run configs; files a run writes
            List.of("measure"),                          // geometry of embeddings
            List.of("loss", "optim", "device", "rundir") // losses, optimiser, devices, directory locks
    );

    private static JavaClasses main;

    @BeforeAll
    static void importMainClasses() {
        // the other modules' classes come from their target/classes or jars, whichever the build put on the class path
        main = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS).importPackages("org.gaplab");
    }

    @Test
    void everyEnginePackageHasALayer() {
        Set<String> placed = ENGINE_LAYERS.stream().flatMap(List::stream).collect(Collectors.toSet());
        Set<String> found = main.stream().map(JavaClass::getPackageName)
                .filter(p -> p.startsWith("org.gaplab.engine."))
                .map(p -> p.substring("org.gaplab.engine.".length()).split("\\.")[0])
                .collect(Collectors.toCollection(TreeSet::new));
        assertThat(ENGINE_LAYERS.stream().flatMap(List::stream).toList()).doesNotHaveDuplicates();
        assertThat(found).as("engine packages (a new one needs a place in ENGINE_LAYERS)").isNotEmpty();
        assertThat(placed).containsAll(found);
    }

    @Test
    void noEnginePackageUsesAHigherOne() {
        LayeredArchitecture layers = layeredArchitecture().consideringOnlyDependenciesInLayers();
        for (List<String> layer : ENGINE_LAYERS) {
            layers = layers.layer(name(layer)).definedBy(layer.stream().map(p -> "org.gaplab.engine." + p + "..").toArray(String[]::new));
        }
        for (int i = 1; i < ENGINE_LAYERS.size(); i++) {
            String[] above = ENGINE_LAYERS.subList(0, i).stream().map(LayeringTest::name).toArray(String[]::new);
            layers = layers.whereLayer(name(ENGINE_LAYERS.get(i))).mayOnlyBeAccessedByLayers(above);
        }
        layers = layers.whereLayer(name(ENGINE_LAYERS.get(0))).mayNotBeAccessedByAnyLayer();
        layers.check(main);
    }

    @Test
    void enginePackagesFormNoCycle() {
        slices().matching("org.gaplab.engine.(*)..").should().beFreeOfCycles().check(main);
    }

    @Test
    void lowerModulesNeverUseTheEngine() {
        // the rules below must see the lower modules' classes, or they would pass on nothing
        assertThat(List.of("org.gaplab.core.Json", "org.gaplab.models.DualEncoder", "org.gaplab.datasets.PairedSource"))
                .allSatisfy(c -> assertThat(main.contain(c)).as(c).isTrue());
        noClasses().that().resideInAnyPackage("org.gaplab.core..", "org.gaplab.models..", "org.gaplab.datasets..")
                .should().dependOnClassesThat().resideInAPackage("org.gaplab.engine..")
                .because("models and datasets are libraries below the engine (and core below them)").check(main);
        noClasses().that().resideInAnyPackage("org.gaplab.core..", "org.gaplab.models..")
                .should().dependOnClassesThat().resideInAPackage("org.gaplab.datasets..").check(main);
        classes().that().resideInAPackage("org.gaplab.core..")
                .should().onlyDependOnClassesThat().resideInAnyPackage("org.gaplab.core..", "java..", "com.fasterxml.jackson..")
                .because("core is the bottom layer: Java and Jackson only").check(main);
    }

    private static String name(List<String> layer) {
        return String.join("+", layer);
    }
}
