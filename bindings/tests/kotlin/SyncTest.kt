// Sync driven from Kotlin through the generated bindings, against a real
// nightround-server process the test starts on loopback.

import java.io.File
import java.net.ServerSocket
import java.net.Socket
import java.util.concurrent.TimeUnit
import kotlin.test.assertEquals
import kotlin.test.assertFalse
import kotlin.test.assertTrue
import uniffi.nightround_core.*
import uniffi.nightround_ffi.*

/** A nightround-server process with its own data directory. */
class ServerProcess(private val tls: Boolean = false) : AutoCloseable {
    private val bin = System.getenv("NIGHTROUND_SERVER_BIN")
        ?: throw IllegalStateException("NIGHTROUND_SERVER_BIN is not set (scripts/kotlin-tests.sh sets it)")
    val dataDir: File = testTempDir("server")
    val port: Int = ServerSocket(0).use { it.localPort }
    val url = if (tls) "https://127.0.0.1:$port/" else "http://127.0.0.1:$port/"
    private var process: Process? = null

    fun admin(vararg args: String): String {
        val p = ProcessBuilder(listOf(bin, "admin", "--data-dir", dataDir.path) + args)
            .redirectError(ProcessBuilder.Redirect.DISCARD)
            .start()
        val out = p.inputStream.bufferedReader().readText().trim()
        check(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0) { "admin ${args.first()} failed" }
        return out
    }

    fun start() {
        process = ProcessBuilder(
            listOf(bin, "serve", "--data-dir", dataDir.path, "--listen", "127.0.0.1:$port", "--example-directory") +
                (if (tls) emptyList() else listOf("--plain-http")),
        ).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start()
        val deadline = System.currentTimeMillis() + 30_000
        while (System.currentTimeMillis() < deadline) {
            try {
                Socket("127.0.0.1", port).close()
                return
            } catch (e: java.io.IOException) {
                Thread.sleep(50)
            }
        }
        throw IllegalStateException("the server did not start")
    }

    fun stop() {
        process?.let { it.destroy(); it.waitFor(10, TimeUnit.SECONDS) }
        process = null
    }

    override fun close() = stop()

    /** A worker and a one-time code for her phone. */
    fun enrolmentCode(name: String, role: String): String {
        val worker = admin("add-worker", "--org", "Aspirations", "--name", name, "--role", role)
        return admin("enrol-code", "--worker", worker)
    }
}

/** Enrols a phone the way the app's enrol screen does. */
fun enrolPhone(server: ServerProcess, name: String, role: String, keystore: MemoryKeyStore = MemoryKeyStore()): Pair<NightroundVault, File> {
    val enrolled = enrolDevice(server.url, null, server.enrolmentCode(name, role), "$name's phone")
    val file = File(testTempDir("phone"), "vault.db")
    val vault = NightroundVault.create(file.path, keystore, PIN, enrolled.identity)
    vault.setEnrolment(enrolled.enrolment)
    return vault to file
}

object SyncTests : TestSuite {
    override val tests = listOf<Pair<String, () -> Unit>>(
        "a contact made on one phone reaches another through the server" to {
            ServerProcess().use { server ->
                server.admin("add-org", "--name", "Aspirations")
                server.start()
                val (sam, _) = enrolPhone(server, "Sam", "outreach_worker")
                assertEquals("Sam", sam.identity().displayName)
                assertTrue(sam.syncStatus().enrolled)
                val jade = sam.addPerson(jadeDraft())
                sam.recordContact(contactDraft(jade.id, listOf(SupplyLine("condoms", 10u))))
                assertEquals(2uL, sam.syncStatus().pending)
                val report = sam.sync()
                assertEquals(2uL, report.pushed)
                assertEquals(0uL, sam.syncStatus().pending)
                assertTrue(sam.syncStatus().lastSuccess != null)

                val (priya, _) = enrolPhone(server, "Priya", "outreach_worker")
                val pulled = priya.sync()
                assertEquals(2uL, pulled.pulled)
                assertEquals(listOf("Jade"), priya.findPeople("J").map { it.alias })
                assertEquals(1, priya.personTimeline(jade.id).size)
                sam.close(); priya.close()
            }
        },

        "no signal keeps everything and says so in plain words" to {
            ServerProcess().use { server ->
                server.admin("add-org", "--name", "Aspirations")
                server.start()
                val (sam, _) = enrolPhone(server, "Sam", "outreach_worker")
                server.stop()
                sam.addPerson(jadeDraft())
                val e = expectThrows<NightroundException.Offline> { sam.sync() }
                assertTrue(e.detail.contains("kept"), e.detail)
                val status = sam.syncStatus()
                assertEquals(1uL, status.pending)
                assertEquals(e.detail, status.lastError)
                server.start()
                sam.sync()
                assertEquals(0uL, sam.syncStatus().pending)
                assertEquals(null, sam.syncStatus().lastError)
                sam.close()
            }
        },

        "a revoked phone erases its vault on its next sync" to {
            ServerProcess().use { server ->
                server.admin("add-org", "--name", "Aspirations")
                server.start()
                val keystore = MemoryKeyStore()
                val (sam, file) = enrolPhone(server, "Sam", "outreach_worker", keystore)
                sam.addPerson(jadeDraft())
                sam.sync()
                val deviceId = sam.syncStatus().deviceId!!
                server.admin("revoke-device", "--device", deviceId)
                expectThrows<NightroundException.Revoked> { sam.sync() }
                assertFalse(file.exists())
                assertTrue(keystore.secrets.isEmpty())
                expectThrows<NightroundException.Shredded> { sam.findPeople("") }
                sam.close()
            }
        },

        "the duress PIN opens an empty app and the unsent round still reaches the team" to {
            ServerProcess().use { server ->
                server.admin("add-org", "--name", "Aspirations")
                server.start()
                val (sam, samFile) = enrolPhone(server, "Sam", "outreach_worker")
                val (priya, _) = enrolPhone(server, "Priya", "outreach_worker")
                val jade = sam.addPerson(jadeDraft())
                sam.recordContact(contactDraft(jade.id, listOf(SupplyLine("condoms", 10u))))
                sam.setDuressPin("999111")
                assertTrue(sam.hasDuressPin())
                sam.lock()
                sam.unlock("999111")
                assertTrue(sam.findPeople("").isEmpty(), "an empty app")
                assertTrue(samFile.readBytes().let { b -> String(b, Charsets.ISO_8859_1) }.contains("Jade").not())
                assertEquals(2uL, sam.syncStatus().pending)
                assertEquals(2uL, sam.sync().pushed)
                assertTrue(sam.findPeople("").isEmpty(), "the decoy receives nothing")
                assertTrue(server.admin("devices").contains("DURESS"), "the supervisor is told")
                priya.sync()
                assertEquals(listOf("Jade"), priya.findPeople("").map { it.alias })
                sam.lock()
                expectThrows<NightroundException.WrongPin> { sam.unlock(PIN) }
                sam.close(); priya.close()
            }
        },

        "a used enrolment code is refused" to {
            ServerProcess().use { server ->
                server.admin("add-org", "--name", "Aspirations")
                server.start()
                val code = server.enrolmentCode("Sam", "outreach_worker")
                enrolDevice(server.url, null, code, "first")
                val e = expectThrows<NightroundException.ServerRefused> { enrolDevice(server.url, null, code, "second") }
                assertTrue(e.detail.isNotBlank())
            }
        },
    )
}
