//! Test support for the end-to-end suite in `tests/tests/`: a real server on
//! loopback, enrolled devices with real vault files, and a fault-injecting
//! proxy between them.

pub mod byte_scan;
pub mod fault_proxy;
pub mod harness;
