import org.nightround.build.CargoNdkTask
import org.nightround.build.UniffiKotlinTask

plugins {
    alias(libs.plugins.android.application)
    alias(libs.plugins.kotlin.compose)
}

// The Cargo workspace this project sits in (android/ is one of its folders).
val workspace: Directory = rootProject.layout.projectDirectory.dir("..")
val rustAbis = listOf("arm64-v8a", "armeabi-v7a", "x86_64")
val minApi = 28 // setUnlockedDeviceRequired and StrongBox need API 28
val skipRust: Boolean = providers.gradleProperty("nightround.skipRust").orNull.toBoolean()
val cargoCommand: String = providers.environmentVariable("CARGO").orNull ?: "cargo"

android {
    namespace = "org.nightround.app"
    compileSdk {
        version = release(37)
    }
    ndkVersion = libs.versions.ndk.get()

    defaultConfig {
        applicationId = "org.nightround.app"
        minSdk { version = release(minApi) }
        targetSdk { version = release(37) }
        versionCode = 1
        versionName = "0.1.0"
        // Only the ABIs the core is built for; JNA ships more.
        ndk { abiFilters += rustAbis }
    }

    buildTypes {
        debug {
            applicationIdSuffix = ".debug"
        }
        release {
            isMinifyEnabled = true
            isShrinkResources = true
            proguardFiles(getDefaultProguardFile("proguard-android-optimize.txt"), "proguard-rules.pro")
        }
    }

    compileOptions {
        sourceCompatibility = JavaVersion.VERSION_17
        targetCompatibility = JavaVersion.VERSION_17
    }

    buildFeatures {
        compose = true
    }

    packaging {
        resources.excludes += "/META-INF/{AL2.0,LGPL2.1}"
    }

    // No dependency metadata blob signed for the Play Store in the APK.
    dependenciesInfo {
        includeInApk = false
        includeInBundle = false
    }

    lint {
        abortOnError = true
        warningsAsErrors = false
    }
}

kotlin {
    compilerOptions {
        optIn.addAll(
            "androidx.compose.material3.ExperimentalMaterial3Api",
            "androidx.compose.foundation.layout.ExperimentalLayoutApi",
            "androidx.compose.ui.ExperimentalComposeUiApi",
        )
    }
}

// --- The Rust core ---------------------------------------------------------
//
// Two tasks per variant, wired into the variant's sources so that Gradle runs
// them before compiling and packaging:
//   generate<Variant>UniffiKotlin: Kotlin bindings (uniffi-bindgen, android/uniffi.toml)
//   cargoNdk<Variant>:             lib<ffi>.so per ABI (cargo-ndk)
// README.md lists the exact commands they run.

val rustInputs = files(
    workspace.file("Cargo.toml"),
    workspace.file("Cargo.lock"),
    workspace.dir("core").asFileTree.matching { include("Cargo.toml", "src/**", "migrations/**") },
    workspace.dir("bindings").asFileTree.matching { include("Cargo.toml", "src/**") },
)

androidComponents {
    onVariants { variant ->
        val name = variant.name.replaceFirstChar { it.uppercase() }
        // A local copy: the onlyIf specs below are stored in the configuration
        // cache and must not capture the build script.
        val skip = skipRust

        val bindings = tasks.register<UniffiKotlinTask>("generate${name}UniffiKotlin") {
            description = "Generates the uniffi Kotlin bindings for $name."
            workspaceDir.set(workspace)
            rustSources.from(rustInputs)
            uniffiConfig.set(rootProject.layout.projectDirectory.file("uniffi.toml"))
            ffiCrate.set("nightround-ffi")
            ffiLibrary.set("nightround_ffi")
            cargo.set(cargoCommand)
            onlyIf("nightround.skipRust is false") { !skip }
        }
        val nativeLibs = tasks.register<CargoNdkTask>("cargoNdk$name") {
            description = "Builds the Rust core for ${rustAbis.joinToString()} with cargo-ndk."
            workspaceDir.set(workspace)
            rustSources.from(rustInputs)
            ffiCrate.set("nightround-ffi")
            abis.set(rustAbis)
            apiLevel.set(minApi)
            cargo.set(cargoCommand)
            sdkDirectory.set(androidComponents.sdkComponents.sdkDirectory)
            ndkVersion.set(libs.versions.ndk)
            onlyIf("nightround.skipRust is false") { !skip }
        }

        // The sourceSet wiring: the generated directories become part of the
        // variant's Kotlin and jniLibs sources, carrying the task dependency.
        variant.sources.kotlin?.addGeneratedSourceDirectory(bindings, UniffiKotlinTask::outputDir)
        variant.sources.jniLibs?.addGeneratedSourceDirectory(nativeLibs, CargoNdkTask::outputDir)
    }
}

dependencies {
    implementation(libs.androidx.core.ktx)
    implementation(libs.androidx.activity.compose)
    // BiometricPrompt needs a FragmentActivity; a current fragment makes it a
    // ComponentActivity that Compose's setContent accepts.
    implementation(libs.androidx.fragment.ktx)
    implementation(libs.androidx.biometric)
    implementation(libs.androidx.lifecycle.process)
    implementation(libs.androidx.lifecycle.runtime.ktx)
    implementation(libs.androidx.lifecycle.runtime.compose)
    implementation(libs.androidx.work.runtime.ktx)
    implementation(libs.kotlinx.coroutines.android)
    implementation(libs.kotlinx.coroutines.core)

    implementation(platform(libs.androidx.compose.bom))
    implementation(libs.androidx.compose.ui)
    implementation(libs.androidx.compose.ui.graphics)
    implementation(libs.androidx.compose.foundation)
    implementation(libs.androidx.compose.material3)
    implementation(libs.androidx.compose.ui.tooling.preview)
    debugImplementation(libs.androidx.compose.ui.tooling)

    // The enrolment QR scanner (ui/scan/QrScanner.kt).
    implementation(libs.androidx.camera.camera2)
    implementation(libs.androidx.camera.lifecycle)
    implementation(libs.androidx.camera.view)
    implementation(libs.androidx.camera.mlkit.vision)
    implementation(libs.mlkit.barcode.scanning)

    // The generated bindings call Rust through JNA; the AAR brings libjnidispatch.so.
    implementation("net.java.dev.jna:jna:${libs.versions.jna.get()}@aar")
}
