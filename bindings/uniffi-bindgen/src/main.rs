//! The uniffi bindings generator, built on its own so that uniffi's `cli`
//! feature never leaks into the library the phones load.
fn main() {
    uniffi::uniffi_bindgen_main()
}
