// Sync against servers that misbehave, driven from Kotlin (issue 13, item 5):
// deadlines, cancelling from another thread, Retry-After, plain words for
// each way the network fails, and progress.

import java.io.File
import java.net.ServerSocket
import java.net.Socket
import java.util.UUID
import java.util.concurrent.CopyOnWriteArrayList
import kotlin.concurrent.thread
import kotlin.test.assertEquals
import kotlin.test.assertTrue
import uniffi.nightround_core.*
import uniffi.nightround_ffi.*

/** A loopback server that does what [handle] says with each connection. */
class RawServer(private val handle: (Socket) -> Unit) : AutoCloseable {
    private val socket = ServerSocket(0)
    val port = socket.localPort
    val url = "http://127.0.0.1:$port/"
    val accepted = CopyOnWriteArrayList<Long>()
    private val held = CopyOnWriteArrayList<Socket>()
    private val acceptor = thread(isDaemon = true) {
        while (!socket.isClosed) {
            val s = try { socket.accept() } catch (e: java.io.IOException) { break }
            accepted += System.nanoTime()
            held += s
            thread(isDaemon = true) { try { handle(s) } catch (_: Exception) {} }
        }
    }

    override fun close() {
        socket.close()
        held.forEach { runCatching { it.close() } }
    }
}

fun readRequestHead(s: Socket) {
    val input = s.getInputStream()
    var last4 = 0
    while (true) {
        val b = input.read()
        if (b < 0) return
        last4 = (last4 shl 8) or b
        if (last4 == 0x0d0a0d0a) return
    }
}

fun enrolledAt(url: String): NightroundVault {
    val (vault, _) = newVault()
    vault.setEnrolment(Enrolment(url, null, UUID.randomUUID().toString(), "token", 14u, null))
    return vault
}

fun offlineWords(body: () -> Unit): String =
    expectThrows<NightroundException.Offline>(body).detail

object SyncLimitsTests : TestSuite {
    override val tests = listOf<Pair<String, () -> Unit>>(
        "a server that accepts and never answers costs at most the overall deadline" to {
            RawServer { Thread.sleep(120_000) }.use { server ->
                val vault = enrolledAt(server.url)
                val start = System.nanoTime()
                val words = offlineWords { vault.syncWith(SyncHandle(), 2u, 2u, 5u) }
                val seconds = (System.nanoTime() - start) / 1e9
                println("    never-answering server: gave up after %.1f s: %s".format(seconds, words))
                assertTrue(seconds < 6.5, "took $seconds s")
                assertTrue(words.contains("did not answer"), words)
                assertTrue(vault.syncStatus().lastError!!.contains("did not answer"))
            }
        },

        "a sync is cancelled from another thread within a second" to {
            RawServer { Thread.sleep(120_000) }.use { server ->
                val vault = enrolledAt(server.url)
                vault.recordContact(contactDraft(null, emptyList()))
                val handle = SyncHandle()
                var thrown: Throwable? = null
                val t = thread { try { vault.syncWith(handle, 5u, 60u, 0u) } catch (e: Throwable) { thrown = e } }
                Thread.sleep(500)
                val start = System.nanoTime()
                handle.cancel()
                t.join(5_000)
                val ms = (System.nanoTime() - start) / 1_000_000
                println("    cancel answered in $ms ms")
                assertTrue(!t.isAlive && ms < 1_000, "cancel took $ms ms")
                assertTrue(thrown is NightroundException.Cancelled, "got $thrown")
                assertEquals(1uL, vault.pendingChanges(), "the contact is kept for the next sync")
            }
        },

        "a cut connection, a server that is down and a refused certificate are told apart" to {
            val cut = RawServer { s -> readRequestHead(s); s.close() }
            val cutWords = cut.use { offlineWords { enrolledAt(it.url).syncWith(SyncHandle(), 2u, 2u, 10u) } }
            val downPort = ServerSocket(0).use { it.localPort }
            val downWords = offlineWords { enrolledAt("http://127.0.0.1:$downPort/").syncWith(SyncHandle(), 2u, 2u, 10u) }
            val certWords = ServerProcess(tls = true).use { server ->
                server.admin("add-org", "--name", "Aspirations")
                server.start()
                offlineWords { enrolledAt(server.url).syncWith(SyncHandle(), 2u, 2u, 10u) }
            }
            println("    cut: $cutWords\n    down: $downWords\n    certificate: $certWords")
            assertTrue(cutWords.contains("cut"), cutWords)
            assertTrue(downWords.contains("down"), downWords)
            assertTrue(certWords.contains("certificate"), certWords)
            assertEquals(3, setOf(cutWords, downWords, certWords).size)
        },

        "Retry-After on a 503 is honoured between tries" to {
            RawServer { s ->
                readRequestHead(s)
                s.getOutputStream().write(
                    "HTTP/1.1 503 Service Unavailable\r\nRetry-After: 2\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".toByteArray()
                )
                s.close()
            }.use { server ->
                val vault = enrolledAt(server.url)
                offlineWords { vault.syncWith(SyncHandle(), 2u, 2u, 5u) }
                val gaps = server.accepted.zipWithNext { a, b -> (b - a) / 1e9 }
                println("    tries ${server.accepted.size}, gaps ${gaps.map { "%.2f".format(it) }}")
                assertTrue(gaps.isNotEmpty() && gaps.all { it >= 1.9 }, "gaps $gaps")
            }
        },

        "progress is readable while a new phone pulls, and matches the report" to {
            ServerProcess().use { server ->
                server.admin("add-org", "--name", "Aspirations")
                server.start()
                val (sam, _) = enrolPhone(server, "Sam", "outreach_worker")
                repeat(40) { sam.recordContact(contactDraft(null, emptyList())) }
                val pushing = SyncHandle()
                val pushed = sam.syncWith(pushing, 5u, 30u, 120u)
                assertEquals(pushed.pushed, pushing.progress().pushed)
                val (priya, _) = enrolPhone(server, "Priya", "outreach_worker")
                val handle = SyncHandle()
                val seen = CopyOnWriteArrayList<SyncProgress>()
                val watcher = thread { while (!handle.isCancelled()) { seen += handle.progress(); Thread.sleep(5) } }
                val report = priya.syncWith(handle, 5u, 30u, 120u)
                handle.cancel()
                watcher.join()
                val p = handle.progress()
                assertTrue(report.pulled >= 40u, "$report")
                assertEquals(report.pulled, p.pulled)
                assertTrue(p.pages >= 1u)
                assertTrue(!p.moreWaiting)
                assertTrue(seen.map { it.pulled }.zipWithNext().all { (a, b) -> a <= b })
            }
        },
    )
}
