// No failure may cost her records: the keystore, the PIN counters, errors,
// and the files, driven from Kotlin exactly as the issue (13) found them.

import java.io.File
import java.security.SecureRandom
import kotlin.test.assertEquals
import kotlin.test.assertFalse
import kotlin.test.assertNotNull
import kotlin.test.assertTrue
import uniffi.nightround_core.*
import uniffi.nightround_ffi.*

/**
 * A keystore as Android's can behave: it may throw anything, not only
 * KeyStoreFailure (UserNotAuthenticatedException when the phone's own lock
 * timed out). `throwOnLoad` makes loadSecret throw; `dieAfterCreate` makes
 * createSecret keep the new secret and then throw, as if the app died there.
 */
class ThrowingKeyStore : PlatformKeyStore {
    val secrets = mutableMapOf<String, ByteArray>()
    var throwOnLoad: Throwable? = null
    var dieAfterCreate = false
    var dieOnDelete = false

    override fun createSecret(name: String): ByteArray {
        val secret = ByteArray(32).also { SecureRandom().nextBytes(it) }
        secrets[name] = secret
        if (dieAfterCreate) throw IllegalStateException("process killed after createSecret")
        return secret.copyOf()
    }

    override fun loadSecret(name: String): ByteArray? {
        throwOnLoad?.let { throw it }
        return secrets[name]?.copyOf()
    }

    override fun deleteSecret(name: String) {
        if (dieOnDelete) throw IllegalStateException("process killed before deleteSecret")
        secrets.remove(name)
    }
}

/** Stand-in for android.security.keystore.UserNotAuthenticatedException. */
class UserNotAuthenticatedException : java.security.GeneralSecurityException("User not authenticated")

fun assertHumanMessage(e: Throwable) {
    val m = e.message
    assertNotNull(m, "${e.javaClass.simpleName} has no message")
    assertTrue(m.trim().split(Regex("\\s+")).size >= 3, "${e.javaClass.simpleName} says only '$m'")
    assertFalse(m.contains("stack backtrace") || m.contains("at src/") || m.contains("rust_begin_unwind") || m.contains("::"),
        "${e.javaClass.simpleName} carries a backtrace: $m")
}

/** Flips one byte in the middle of a record's sealed body, as a bad sector would. */
fun flipByteOf(file: File, kind: String, id: String) {
    val script = """
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
b = bytearray(c.execute("SELECT body FROM records WHERE kind=? AND id=?", (sys.argv[2], sys.argv[3])).fetchone()[0])
b[len(b) // 2] ^= 0x01
c.execute("UPDATE records SET body=? WHERE kind=? AND id=?", (bytes(b), sys.argv[2], sys.argv[3]))
c.commit()
"""
    val p = ProcessBuilder("python3", "-c", script, file.path, kind, id).redirectErrorStream(true).start()
    val out = p.inputStream.bufferedReader().readText()
    assertEquals(0, p.waitFor(), out)
}

object FailureTests : TestSuite {
    override val tests = listOf<Pair<String, () -> Unit>>(
        "1 a keystore that throws anything is a typed error and never counts as a wrong PIN" to {
            val keystore = ThrowingKeyStore()
            val (vault, file) = newVault(keystore)
            vault.addPerson(jadeDraft())
            vault.lock()
            keystore.throwOnLoad = UserNotAuthenticatedException()
            repeat(12) {
                val e = expectThrows<NightroundException.KeyStore> { vault.unlock(PIN) }
                assertHumanMessage(e)
                assertEquals(0u, vault.failedUnlocks())
            }
            keystore.throwOnLoad = RuntimeException("anything else")
            expectThrows<NightroundException.KeyStore> { vault.unlock(PIN) }
            assertEquals(0u, vault.failedUnlocks())
            keystore.throwOnLoad = null
            vault.unlock(PIN)
            assertEquals(1, vault.findPeople("").size)
            assertTrue(file.exists())
        },

        "2 changePin with a wrong current PIN counts toward the wipe and says what is left" to {
            val keystore = MemoryKeyStore()
            val (vault, file) = newVault(keystore)
            vault.addPerson(jadeDraft())
            val lefts = mutableListOf<UInt>()
            for (i in 1..9) {
                val e = expectThrows<NightroundException.WrongPin> { vault.changePin("111111", "135790") }
                lefts += e.attemptsLeft
                assertEquals(i.toUInt(), vault.failedUnlocks())
                assertHumanMessage(e)
            }
            assertEquals((9 downTo 1).map { it.toUInt() }, lefts)
            expectThrows<NightroundException.Shredded> { vault.changePin("111111", "135790") }
            assertFalse(file.exists())
            assertTrue(keystore.secrets.isEmpty())
        },

        "2 a right current PIN after wrong ones clears the count" to {
            val (vault, _) = newVault()
            expectThrows<NightroundException.WrongPin> { vault.changePin("111111", "135790") }
            assertEquals(1u, vault.failedUnlocks())
            vault.changePin(PIN, "135790")
            assertEquals(0u, vault.failedUnlocks())
            vault.lock()
            vault.unlock("135790")
        },

        "3 a malformed id is a typed Invalid with a sentence, no backtrace" to {
            assertEquals("1", System.getenv("RUST_BACKTRACE"), "run with RUST_BACKTRACE=1")
            val (vault, _) = newVault()
            for (call in listOf<() -> Unit>(
                { vault.person("not-a-uuid") },
                { vault.personTimeline("") },
                { vault.setReferralStatus("12", ReferralStatus.ACCEPTED) },
                { vault.checkIn("round") },
            )) {
                val e = expectThrows<NightroundException.Invalid> { call() }
                assertEquals<ValidationError>(ValidationError.MalformedId, e.reason)
                assertHumanMessage(e)
            }
        },

        "3 setLockPolicy(0, 0) is a typed Invalid with a message; the policy reads back" to {
            val (vault, _) = newVault()
            val e = expectThrows<NightroundException.Invalid> { vault.setLockPolicy(0u, 0u) }
            assertHumanMessage(e)
            vault.setLockPolicy(300u, 5u)
            assertEquals(LockPolicySetting(300u, 5u), vault.lockPolicy())
        },

        "3 every error the apps meet says something" to {
            val keystore = MemoryKeyStore()
            val (vault, file) = newVault(keystore)
            assertHumanMessage(expectThrows<NightroundException.NotEnrolled> { vault.sync() })
            assertHumanMessage(expectThrows<NightroundException.AlreadyExists> {
                NightroundVault.create(file.path, keystore, PIN, outreachWorker())
            })
            vault.lock()
            assertHumanMessage(expectThrows<NightroundException.Locked> { vault.findPeople("") })
            assertHumanMessage(expectThrows<NightroundException.WrongPin> { vault.unlock("000000") })
            vault.wipe()
            assertHumanMessage(expectThrows<NightroundException.Shredded> { vault.findPeople("") })
            assertHumanMessage(expectThrows<NightroundException.NoVault> {
                NightroundVault.open(file.path, keystore)
            })
        },

        "7 a kill after the new secret was made leaves no orphan after the next open" to {
            val keystore = ThrowingKeyStore()
            val (vault, file) = newVault(keystore)
            assertEquals(1, keystore.secrets.size)
            repeat(5) {
                keystore.dieAfterCreate = true
                expectThrows<NightroundException.KeyStore> { vault.changePin(PIN, "135790") }
                keystore.dieAfterCreate = false
            }
            assertEquals(6, keystore.secrets.size)
            val reopened = NightroundVault.open(file.path, keystore)
            assertEquals(1, keystore.secrets.size)
            reopened.unlock(PIN)
        },

        "7 a kill before the old secret was deleted leaves no orphan after the next open" to {
            val keystore = ThrowingKeyStore()
            val (vault, file) = newVault(keystore)
            keystore.dieOnDelete = true
            expectThrows<NightroundException.KeyStore> { vault.changePin(PIN, "135790") }
            keystore.dieOnDelete = false
            assertEquals(2, keystore.secrets.size)
            val reopened = NightroundVault.open(file.path, keystore)
            assertEquals(1, keystore.secrets.size)
            reopened.unlock("135790")
        },

        "7 wipe deletes every secret of the vault, forgotten ones too" to {
            val keystore = ThrowingKeyStore()
            val (vault, _) = newVault(keystore)
            vault.setDuressPin("999888777")
            repeat(3) {
                keystore.dieAfterCreate = true
                expectThrows<NightroundException.KeyStore> { vault.changePin(PIN, "135790") }
                keystore.dieAfterCreate = false
            }
            assertTrue(keystore.secrets.size >= 4)
            vault.wipe()
            assertEquals(emptyMap(), keystore.secrets.mapValues { it.value.size })
        },

        "7 open() on a file that is not a vault refuses and writes nothing" to {
            val dir = testTempDir("notvault")
            val text = File(dir, "notes.txt").apply { writeText("shopping list, not a vault\n") }
            val before = text.readBytes()
            expectThrows<NightroundException> { NightroundVault.open(text.path, MemoryKeyStore()) }
            assertTrue(before.contentEquals(text.readBytes()))
            val empty = File(dir, "empty.db").apply { writeBytes(ByteArray(0)) }
            expectThrows<NightroundException.NoVault> { NightroundVault.open(empty.path, MemoryKeyStore()) }
            assertEquals(0L, empty.length())
            assertEquals(listOf("empty.db", "notes.txt"), dir.list()!!.sorted())
        },

        "7 setEnrolment refuses a server address that is not a URL" to {
            val (vault, _) = newVault()
            val e = expectThrows<NightroundException.Invalid> {
                vault.setEnrolment(Enrolment("not a url", null, java.util.UUID.randomUUID().toString(), "t", 14u, null))
            }
            assertEquals<ValidationError>(ValidationError.NotAUrl, e.reason)
            assertFalse(vault.syncStatus().enrolled)
        },

        "7 startRound refuses a buddy not on the team" to {
            val (vault, _) = newVault()
            val screen = vault.roundScreen()
            val e = expectThrows<NightroundException.Invalid> {
                vault.startRound(RoundDraft(
                    expectedEnd = screen.suggestedEnd,
                    checkInMinutes = screen.defaultCheckInMinutes,
                    buddy = TeamMember("w-nobody", "Nobody", Role.OUTREACH_WORKER),
                    areaId = null,
                ))
            }
            assertEquals<ValidationError>(ValidationError.BuddyNotOnTeam, e.reason)
        },

        "4 one damaged person does not blank the people list; it is named" to {
            val (vault, file) = newVault()
            val jade = vault.addPerson(jadeDraft())
            val amber = vault.addPerson(jadeDraft().copy(alias = "Amber"))
            vault.addPerson(jadeDraft().copy(alias = "Ruby"))
            vault.recordContact(contactDraft(amber.id, emptyList()))
            val bad = vault.recordContact(contactDraft(amber.id, emptyList()))
            flipByteOf(file, "person", jade.id)
            flipByteOf(file, "contact", bad.id)
            assertEquals(listOf("Amber", "Ruby"), vault.findPeople("").map { it.alias })
            val page = vault.peoplePage("", 0u, 1u)
            assertEquals(listOf("Amber"), page.people.map { it.alias })
            assertEquals(2u, page.total)
            assertEquals(listOf(jade.id), page.unreadable)
            assertEquals("1 record could not be read; it is left out.", page.notice)
            assertEquals(listOf("Ruby"), vault.peoplePage("", 1u, 10u).people.map { it.alias })
            val timeline = vault.timelinePage(amber.id, 0u, 50u)
            assertEquals(1, timeline.entries.size)
            assertEquals(listOf(bad.id), timeline.unreadable)
            assertEquals(1, vault.personTimeline(amber.id).size)
            assertEquals(1, vault.contactsSince(java.time.Instant.EPOCH).size)
            expectThrows<NightroundException.Damaged> { vault.person(jade.id) }
        },

        "7 personTimeline of an unknown person is NotFound, as person() is" to {
            val (vault, _) = newVault()
            val unknown = java.util.UUID.randomUUID().toString()
            expectThrows<NightroundException.NotFound> { vault.person(unknown) }
            expectThrows<NightroundException.NotFound> { vault.personTimeline(unknown) }
        },
    )
}

/** Whether any of the vault's files hold `needle` as plain bytes. */
fun onDisk(vaultFile: File, needle: String): Boolean {
    val bytes = needle.toByteArray()
    return vaultFile.parentFile.listFiles()!!.filter { it.isFile }.any { f ->
        val data = f.readBytes()
        (0..data.size - bytes.size).any { i -> bytes.indices.all { data[i + it] == bytes[it] } }
    }
}

object DraftTests : TestSuite {
    override val tests = listOf<Pair<String, () -> Unit>>(
        "9 a half-filled contact survives a kill, sealed, unsynced, and goes when saved" to {
            val keystore = MemoryKeyStore()
            val (vault, file) = newVault(keystore)
            val jade = vault.addPerson(jadeDraft())
            val pending = vault.pendingChanges()
            val half = contactDraft(jade.id, emptyList()).copy(note = "Zanzibar-quartz half typed")
            vault.saveDraft(FormDraft.Contact(half))
            assertEquals(pending, vault.pendingChanges(), "a draft never syncs")
            assertFalse(onDisk(file, "Zanzibar-quartz"), "the draft is sealed")
            // The app is killed: a new process opens the same file.
            val reopened = NightroundVault.open(file.path, keystore)
            reopened.unlock(PIN)
            assertEquals(FormDraft.Contact(half), reopened.draft(FormKind.CONTACT))
            assertEquals(null, reopened.draft(FormKind.PERSON))
            reopened.recordContact(half)
            assertEquals(null, reopened.draft(FormKind.CONTACT), "saving the record drops its draft")
        },

        "9 discarding drops the draft; a locked vault keeps it unreadable" to {
            val (vault, _) = newVault()
            vault.saveDraft(FormDraft.Person(jadeDraft()))
            vault.lock()
            expectThrows<NightroundException.Locked> { vault.draft(FormKind.PERSON) }
            vault.unlock(PIN)
            assertEquals(FormDraft.Person(jadeDraft()), vault.draft(FormKind.PERSON))
            vault.discardDraft(FormKind.PERSON)
            assertEquals(null, vault.draft(FormKind.PERSON))
        },
    )
}
