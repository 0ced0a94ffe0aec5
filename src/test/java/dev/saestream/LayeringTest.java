package dev.saestream;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The layout's promise, checked on the compiled classes: a package uses only those below it, and
 * the model and SAE code runs without Kafka (so it can be used, and tested, on its own).
 */
class LayeringTest {
    private static JavaClasses main;

    @BeforeAll
    static void load() {
        main = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("dev.saestream");
    }

    @Test
    void eachPackageUsesOnlyThoseBelowIt() {
        layeredArchitecture()
                .consideringOnlyDependenciesInLayers()
                .layer("cli")
                .definedBy("dev.saestream.cli..")
                .layer("bench")
                .definedBy("dev.saestream.bench..")
                .layer("serve")
                .definedBy("dev.saestream.serve..")
                .layer("pipeline")
                .definedBy("dev.saestream.pipeline..")
                .layer("export")
                .definedBy("dev.saestream.export..")
                .layer("label")
                .definedBy("dev.saestream.label..")
                .layer("catalog")
                .definedBy("dev.saestream.catalog..")
                .layer("produce")
                .definedBy("dev.saestream.produce..")
                .layer("encode")
                .definedBy("dev.saestream.encode..")
                .layer("sae")
                .definedBy("dev.saestream.sae..")
                .layer("model")
                .definedBy("dev.saestream.model..")
                .layer("kafka")
                .definedBy("dev.saestream.kafka..")
                .layer("corpus")
                .definedBy("dev.saestream.corpus..")
                .layer("formats")
                .definedBy("dev.saestream.formats..")
                .layer("config")
                .definedBy("dev.saestream.config..")
                .whereLayer("cli")
                .mayNotBeAccessedByAnyLayer()
                .whereLayer("bench")
                .mayOnlyBeAccessedByLayers("cli")
                .whereLayer("serve")
                .mayOnlyBeAccessedByLayers("cli")
                .whereLayer("pipeline")
                .mayOnlyBeAccessedByLayers("cli", "serve")
                .whereLayer("export")
                .mayOnlyBeAccessedByLayers("cli")
                .whereLayer("label")
                .mayOnlyBeAccessedByLayers("cli", "serve", "pipeline", "export")
                .whereLayer("catalog")
                .mayOnlyBeAccessedByLayers("cli", "serve", "pipeline", "export", "label")
                .whereLayer("produce")
                .mayOnlyBeAccessedByLayers("cli")
                .whereLayer("encode")
                .mayOnlyBeAccessedByLayers("cli", "serve", "pipeline", "catalog")
                .whereLayer("sae")
                .mayOnlyBeAccessedByLayers("cli", "bench", "serve", "pipeline", "export", "label", "catalog", "encode")
                .whereLayer("model")
                .mayOnlyBeAccessedByLayers("cli", "bench", "serve", "pipeline", "label", "encode", "sae")
                .whereLayer("kafka")
                .mayOnlyBeAccessedByLayers(
                        "cli", "serve", "pipeline", "export", "label", "catalog", "produce", "encode")
                .whereLayer("corpus")
                .mayOnlyBeAccessedByLayers("cli", "serve", "export", "label", "catalog", "produce", "encode", "sae")
                .check(main);
    }

    @Test
    void modelAndSaeRunWithoutKafka() {
        noClasses()
                .that()
                .resideInAnyPackage("dev.saestream.model..", "dev.saestream.sae..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage("org.apache.kafka..", "dev.saestream.kafka..")
                .check(main);
    }
}
