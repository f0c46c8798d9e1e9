// Build logic for the Rust side of the app: the cargo-ndk build, the uniffi
// Kotlin bindings, and reading crate versions from the workspace Cargo.lock.
plugins {
    `kotlin-dsl`
}

repositories {
    mavenCentral()
    gradlePluginPortal()
}
