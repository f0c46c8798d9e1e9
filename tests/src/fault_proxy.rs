//! A TCP proxy that breaks connections on a seeded schedule, for sync tests.
//!
//! Each accepted connection draws its fault from the schedule: pass through,
//! cut the request after some bytes, cut the response after some bytes (the
//! server did the work but the phone never hears: the "killed between push
//! and acknowledgement" case), delay, or send the request to the server twice.
//! The schedule is a pure function of the seed, so a failing run is replayed
//! by its seed. The upstream can be re-pointed when the server restarts.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::io::{Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

/// What the proxy does to one connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    Pass,
    /// Forward this many bytes of the request, then close both sides.
    CutRequest(usize),
    /// Forward the request, then this many bytes of the response, then close.
    CutResponse(usize),
    /// Wait before forwarding anything.
    Delay(Duration),
    /// Forward the first request bytes to the server on a second connection
    /// too, so the server sees the request twice.
    Duplicate,
}

/// Draws faults from a seed. `fault_rate` is the chance a connection is hit.
pub struct Schedule {
    rng: StdRng,
    fault_rate: f64,
}

impl Schedule {
    pub fn new(seed: u64, fault_rate: f64) -> Self {
        Self {
            rng: StdRng::seed_from_u64(seed),
            fault_rate,
        }
    }

    pub fn next_fault(&mut self) -> Fault {
        if !self.rng.random_bool(self.fault_rate) {
            return Fault::Pass;
        }
        match self.rng.random_range(0..4) {
            0 => Fault::CutRequest(self.rng.random_range(1..400)),
            1 => Fault::CutResponse(self.rng.random_range(0..300)),
            2 => Fault::Delay(Duration::from_millis(self.rng.random_range(1..40))),
            _ => Fault::Duplicate,
        }
    }
}

/// A running proxy on 127.0.0.1.
pub struct FaultProxy {
    addr: SocketAddr,
    upstream: Arc<Mutex<SocketAddr>>,
    schedule: Arc<Mutex<Schedule>>,
    stop: Arc<AtomicBool>,
    /// Faults handed out, for the test's report.
    pub log: Arc<Mutex<Vec<Fault>>>,
    connections: Arc<AtomicUsize>,
    bytes: Arc<ByteCount>,
}

/// Bytes that crossed the proxy, each way: what the network carried.
#[derive(Default)]
pub struct ByteCount {
    pub upstream: AtomicUsize,
    pub downstream: AtomicUsize,
}

impl FaultProxy {
    pub fn start(upstream: SocketAddr, schedule: Schedule) -> std::io::Result<FaultProxy> {
        let listener = TcpListener::bind("127.0.0.1:0")?;
        listener.set_nonblocking(true)?;
        let addr = listener.local_addr()?;
        let proxy = FaultProxy {
            addr,
            upstream: Arc::new(Mutex::new(upstream)),
            schedule: Arc::new(Mutex::new(schedule)),
            stop: Arc::new(AtomicBool::new(false)),
            log: Arc::new(Mutex::new(Vec::new())),
            connections: Arc::new(AtomicUsize::new(0)),
            bytes: Arc::new(ByteCount::default()),
        };
        let (up, sched, stop, log, count, bytes) = (
            proxy.upstream.clone(),
            proxy.schedule.clone(),
            proxy.stop.clone(),
            proxy.log.clone(),
            proxy.connections.clone(),
            proxy.bytes.clone(),
        );
        thread::spawn(move || {
            while !stop.load(Ordering::Relaxed) {
                match listener.accept() {
                    Ok((client, _)) => {
                        let fault = sched
                            .lock()
                            .map(|mut s| s.next_fault())
                            .unwrap_or(Fault::Pass);
                        if let Ok(mut l) = log.lock() {
                            l.push(fault);
                        }
                        count.fetch_add(1, Ordering::Relaxed);
                        let target = up.lock().map(|a| *a);
                        if let Ok(target) = target {
                            let bytes = bytes.clone();
                            thread::spawn(move || handle(client, target, fault, &bytes));
                        }
                    }
                    Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                        thread::sleep(Duration::from_millis(1));
                    }
                    Err(_) => break,
                }
            }
        });
        Ok(proxy)
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Points the proxy at a restarted server.
    pub fn set_upstream(&self, upstream: SocketAddr) {
        if let Ok(mut u) = self.upstream.lock() {
            *u = upstream;
        }
    }

    /// Replaces the schedule (each test schedule brings its own seed).
    pub fn set_schedule(&self, schedule: Schedule) {
        if let Ok(mut s) = self.schedule.lock() {
            *s = schedule;
        }
    }

    pub fn connections(&self) -> usize {
        self.connections.load(Ordering::Relaxed)
    }

    /// (client to server, server to client) bytes so far.
    pub fn bytes(&self) -> (usize, usize) {
        (
            self.bytes.upstream.load(Ordering::Relaxed),
            self.bytes.downstream.load(Ordering::Relaxed),
        )
    }
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

fn handle(mut client: TcpStream, target: SocketAddr, fault: Fault, bytes: &Arc<ByteCount>) {
    let Ok(mut server) = TcpStream::connect(target) else {
        let _ = client.shutdown(Shutdown::Both);
        return;
    };
    let timeout = Some(Duration::from_secs(10));
    for s in [&client, &server] {
        let _ = s.set_read_timeout(timeout);
        let _ = s.set_nodelay(true);
    }
    match fault {
        Fault::Delay(d) => thread::sleep(d),
        Fault::CutRequest(n) => {
            // Forward part of what the client sent first (never all of it),
            // then drop both sides: the server sees a request cut short.
            let mut buf = vec![0u8; 64 * 1024];
            let got = client.read(&mut buf).unwrap_or(0);
            let forward = n.min(got.saturating_sub(1));
            let _ = server.write_all(&buf[..forward]);
            let _ = server.shutdown(Shutdown::Both);
            let _ = client.shutdown(Shutdown::Both);
            return;
        }
        Fault::Duplicate => {
            // Read what the client sends first (a whole small request, or the
            // start of a large one) and send it to the server on a side
            // connection too; the client only hears the main connection.
            let mut first = vec![0u8; 64 * 1024];
            let Ok(k) = client.read(&mut first) else {
                return;
            };
            first.truncate(k);
            if let Ok(mut side) = TcpStream::connect(target) {
                let _ = side.write_all(&first);
                let _ = side.set_read_timeout(Some(Duration::from_secs(2)));
                thread::spawn(move || {
                    let mut sink = [0u8; 4096];
                    while let Ok(n) = side.read(&mut sink) {
                        if n == 0 {
                            break;
                        }
                    }
                });
            }
            if server.write_all(&first).is_err() {
                return;
            }
        }
        Fault::Pass | Fault::CutResponse(_) => {}
    }
    let response_limit = match fault {
        Fault::CutResponse(n) => Some(n),
        _ => None,
    };
    let (Ok(mut c2), Ok(mut s2)) = (client.try_clone(), server.try_clone()) else {
        return;
    };
    let up_bytes = bytes.clone();
    let upstream = thread::spawn(move || {
        if let Ok(n) = std::io::copy(&mut c2, &mut s2) {
            up_bytes.upstream.fetch_add(n as usize, Ordering::Relaxed);
        }
        let _ = s2.shutdown(Shutdown::Write);
    });
    let mut buf = [0u8; 16 * 1024];
    let mut sent = 0usize;
    loop {
        match server.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(k) => {
                let k = match response_limit {
                    Some(limit) if sent + k >= limit => {
                        let _ = client.write_all(&buf[..limit.saturating_sub(sent)]);
                        break;
                    }
                    _ => k,
                };
                if client.write_all(&buf[..k]).is_err() {
                    break;
                }
                bytes.downstream.fetch_add(k, Ordering::Relaxed);
                sent += k;
            }
        }
    }
    let _ = client.shutdown(Shutdown::Both);
    let _ = server.shutdown(Shutdown::Both);
    let _ = upstream.join();
}

#[cfg(test)]
mod tests {
    use super::*;

    fn echo_server() -> SocketAddr {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = l.local_addr().unwrap();
        thread::spawn(move || {
            for s in l.incoming() {
                let Ok(mut s) = s else { continue };
                thread::spawn(move || {
                    let mut buf = [0u8; 1024];
                    while let Ok(n) = s.read(&mut buf) {
                        if n == 0 || s.write_all(&buf[..n]).is_err() {
                            break;
                        }
                    }
                });
            }
        });
        addr
    }

    #[test]
    fn schedules_are_a_function_of_the_seed() {
        let a: Vec<Fault> = {
            let mut s = Schedule::new(42, 0.5);
            (0..50).map(|_| s.next_fault()).collect()
        };
        let b: Vec<Fault> = {
            let mut s = Schedule::new(42, 0.5);
            (0..50).map(|_| s.next_fault()).collect()
        };
        let c: Vec<Fault> = {
            let mut s = Schedule::new(43, 0.5);
            (0..50).map(|_| s.next_fault()).collect()
        };
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert!(a.contains(&Fault::Pass) && a.iter().any(|f| *f != Fault::Pass));
    }

    #[test]
    fn pass_forwards_and_cut_response_truncates() {
        let up = echo_server();
        let proxy = FaultProxy::start(up, Schedule::new(1, 0.0)).unwrap();
        let mut c = TcpStream::connect(proxy.addr()).unwrap();
        c.write_all(b"hello").unwrap();
        let mut buf = [0u8; 5];
        c.read_exact(&mut buf).unwrap();
        assert_eq!(&buf, b"hello");

        // A schedule that always cuts: find a CutResponse for a fresh connection.
        let mut seed = 0;
        let cut = loop {
            let mut s = Schedule::new(seed, 1.0);
            if let Fault::CutResponse(n) = s.next_fault() {
                break n;
            }
            seed += 1;
        };
        proxy.set_schedule(Schedule::new(seed, 1.0));
        let mut c = TcpStream::connect(proxy.addr()).unwrap();
        c.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        let msg = vec![b'x'; 1000];
        c.write_all(&msg).unwrap();
        let mut got = Vec::new();
        let _ = c.read_to_end(&mut got);
        assert!(got.len() <= cut, "response cut at {cut}, got {}", got.len());
    }
}
