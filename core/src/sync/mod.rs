//! Sync between the phone and the server: the wire protocol and (in time)
//! the client that pushes the outbox and pulls what the device may see.

pub mod protocol;
