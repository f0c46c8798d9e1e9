//! Test support for the end-to-end suite in `tests/tests/`: the fault
//! injecting proxy and helpers that enrol devices on a real server.

pub mod fault_proxy;
