// Plugins are declared here once (apply false) so every module resolves the
// same versions. Declaring the Compose compiler plugin at the root also lifts
// the Kotlin Gradle plugin bundled with AGP to the catalog's Kotlin version.
plugins {
    alias(libs.plugins.android.application) apply false
    alias(libs.plugins.kotlin.compose) apply false
}
