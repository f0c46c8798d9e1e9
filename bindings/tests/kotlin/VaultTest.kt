// The core driven from Kotlin exactly as the Android app drives it: through
// the generated bindings, with a keystore implemented in Kotlin.

import java.io.File
import java.security.SecureRandom
import java.time.Duration
import java.time.Instant
import kotlin.test.assertEquals
import kotlin.test.assertFalse
import kotlin.test.assertNotNull
import kotlin.test.assertTrue
import uniffi.nightround_core.*
import uniffi.nightround_ffi.*

/**
 * The keystore trait in Kotlin. On Android the secrets are sealed by a
 * non-exportable Android Keystore key; here they live in memory, which is
 * enough to prove the trait's contract across the FFI.
 */
class MemoryKeyStore : PlatformKeyStore {
    val secrets = mutableMapOf<String, ByteArray>()
    var failNext: String? = null

    override fun createSecret(name: String): ByteArray {
        failNext?.let { failNext = null; throw KeyStoreFailure.Unavailable(it) }
        val secret = ByteArray(32).also { SecureRandom().nextBytes(it) }
        secrets[name] = secret
        return secret.copyOf()
    }

    override fun loadSecret(name: String): ByteArray? {
        failNext?.let { failNext = null; throw KeyStoreFailure.Unavailable(it) }
        return secrets[name]?.copyOf()
    }

    override fun deleteSecret(name: String) {
        secrets.remove(name)?.fill(0)
    }
}

const val PIN = "246810"

fun outreachWorker() = WorkerIdentity(
    workerId = "w-sam",
    displayName = "Sam",
    role = Role.OUTREACH_WORKER,
    organisation = "Aspirations",
)

fun newVault(keystore: PlatformKeyStore = MemoryKeyStore()): Pair<NightroundVault, File> {
    val file = File(testTempDir("vault"), "vault.db")
    return NightroundVault.create(file.path, keystore, PIN, outreachWorker()) to file
}

fun jadeDraft() = PersonDraft(
    alias = "Jade",
    description = "Red coat, usually near the bus stop",
    birthYear = 1994,
    registeredWithOutreach = true,
    prefersFemaleWorker = true,
    keyWorker = "Priya",
)

fun contactDraft(personId: String?, supplies: List<SupplyLine>) = ContactDraft(
    personId = personId,
    at = null,
    areaId = "ambleside_drive",
    kind = ContactKind.OUTREACH_CONVERSATION,
    wellbeing = listOf(WellbeingFlag.DISTRESSED),
    note = "Talked about the drop-in on Thursday",
    supplies = supplies,
    safeguardingAcknowledged = false,
)

object VaultTests : TestSuite {
    override val tests = listOf<Pair<String, () -> Unit>>(
        "an evening round from first contact to timeline" to {
            val keystore = MemoryKeyStore()
            val (vault, file) = newVault(keystore)
            assertTrue(file.exists())
            assertEquals(1, keystore.secrets.size, "the keystore holds one secret")

            val jade = vault.addPerson(jadeDraft())
            assertEquals("Jade", jade.alias)

            val contact = vault.recordContact(
                contactDraft(
                    jade.id,
                    listOf(SupplyLine("condoms", 10u), SupplyLine("hygiene_pack", 1u)),
                ),
            )
            assertEquals(2, contact.supplies.size)

            val concern = vault.raiseConcern(
                ConcernDraft(
                    category = ConcernCategory.DANGEROUS_VEHICLE,
                    description = "Older man, grey beard, asked women to get in",
                    vehicle = Vehicle(make = "Ford", colour = "silver", partialRegistration = "ab12"),
                    areaId = "ambleside_drive",
                    at = null,
                    severity = Severity.HIGH,
                    alertUntil = Instant.now().plus(Duration.ofDays(7)),
                    policeConsent = true,
                    reportedBy = jade.id,
                ),
            )
            val alerts = vault.activeAlerts()
            assertEquals(1, alerts.size)
            assertEquals(concern.id, alerts[0].concern.id)
            assertEquals("AB12", alerts[0].concern.vehicle?.partialRegistration)
            assertEquals("Ambleside Drive", alerts[0].areaName)

            val referrals = vault.submitReferralForm(
                ReferralForm(
                    personId = jade.id,
                    agencyIds = listOf("stars", "harp"),
                    urgency = Urgency.RED,
                    needs = "Somewhere safe to stay tonight; wants a women-only session",
                    consentMethod = ConsentMethod.VERBAL,
                    consentCovers = listOf(InfoCategory.CONTACT_DETAILS, InfoCategory.HOUSING),
                    consentReviewAt = null,
                ),
            )
            assertEquals(2, referrals.size)
            assertEquals(setOf("stars", "harp"), referrals.map { it.agencyId }.toSet())
            for (r in referrals) {
                assertEquals(Duration.ofHours(24), Duration.between(r.createdAt, r.dueAt))
                assertEquals(ReferralStatus.QUEUED, r.status)
            }
            val open = vault.openReferrals()
            assertEquals(2, open.size)
            assertTrue(open.none { it.overdue })
            assertEquals("Jade", open[0].personAlias)

            vault.lock()
            assertTrue(vault.isLocked())
            expectThrows<NightroundException.Locked> { vault.person(jade.id) }
            val wrong = expectThrows<NightroundException.WrongPin> { vault.unlock("000000") }
            assertEquals(9u, wrong.attemptsLeft)

            vault.unlock(PIN)
            val timeline = vault.personTimeline(jade.id)
            // one contact, one concern she reported, two consents, two referrals
            assertEquals(6, timeline.size)
            val contacts = timeline.filterIsInstance<TimelineEntry.Contact>()
            assertEquals(1, contacts.size)
            assertEquals("Talked about the drop-in on Thursday", contacts[0].contact.note)
            assertEquals(10u, contacts[0].contact.supplies.first { it.itemId == "condoms" }.quantity)
            assertEquals(2, timeline.filterIsInstance<TimelineEntry.Referral>().size)
            assertEquals(2, timeline.filterIsInstance<TimelineEntry.Consent>().size)
            assertEquals(1, timeline.filterIsInstance<TimelineEntry.Concern>().size)
            assertEquals(7uL, vault.pendingChanges())
            vault.close()
        },

        "validation errors arrive typed, naming the rule and not the value" to {
            val (vault, _) = newVault()
            val empty = expectThrows<NightroundException.Invalid> {
                vault.addPerson(jadeDraft().copy(alias = "   "))
            }
            assertTrue(empty.reason is ValidationError.EmptyAlias)
            val zero = expectThrows<NightroundException.Invalid> {
                vault.recordContact(contactDraft(null, listOf(SupplyLine("condoms", 0u))))
            }
            assertTrue(zero.reason is ValidationError.ZeroQuantity)
            val secret = "QX7-kotlin-canary " + "x".repeat(600)
            val long = expectThrows<NightroundException.Invalid> {
                vault.recordContact(contactDraft(null, listOf()).copy(note = secret))
            }
            val reason = long.reason
            assertTrue(reason is ValidationError.TextTooLong && reason.v1 == TextField.NOTE)
            assertFalse(long.detail.contains("QX7"), "the message does not echo the note")
            val jade = vault.addPerson(jadeDraft())
            val noConsent = expectThrows<NightroundException.Invalid> {
                vault.makeReferral(ReferralDraft(jade.id, "stars", Urgency.AMBER, "support"))
            }
            assertTrue(noConsent.reason is ValidationError.NoConsentForAgency)
            val consent = vault.recordConsent(
                ConsentDraft(jade.id, listOf("stars"), ConsentMethod.WRITTEN, listOf(InfoCategory.SUBSTANCE_USE), null),
            ).single()
            vault.makeReferral(ReferralDraft(jade.id, "stars", Urgency.AMBER, "support"))
            vault.withdrawConsent(consent.id)
            val withdrawn = expectThrows<NightroundException.Invalid> {
                vault.makeReferral(ReferralDraft(jade.id, "stars", Urgency.AMBER, "support"))
            }
            assertTrue(withdrawn.reason is ValidationError.ConsentWithdrawn)
            vault.close()
        },

        "reopening after the app is killed, and changing the PIN" to {
            val keystore = MemoryKeyStore()
            val (vault, file) = newVault(keystore)
            val jade = vault.addPerson(jadeDraft())
            vault.close()
            val reopened = NightroundVault.open(file.path, keystore)
            assertTrue(reopened.isLocked())
            expectThrows<NightroundException.WrongPin> { reopened.unlock("111111") }
            assertEquals(1u, reopened.failedUnlocks())
            reopened.unlock(PIN)
            reopened.changePin(PIN, "975310")
            reopened.lock()
            expectThrows<NightroundException.WrongPin> { reopened.unlock(PIN) }
            reopened.unlock("975310")
            assertEquals("Jade", reopened.person(jade.id).alias)
            assertEquals(listOf("Jade"), reopened.findPeople("ja").map { it.alias })
            reopened.close()
        },

        "a keystore failure is a typed error and loses nothing" to {
            val keystore = MemoryKeyStore()
            val (vault, file) = newVault(keystore)
            vault.addPerson(jadeDraft())
            vault.close()
            val reopened = NightroundVault.open(file.path, keystore)
            keystore.failNext = "keystore is locked by the OS"
            val e = expectThrows<NightroundException.KeyStore> { reopened.unlock(PIN) }
            assertEquals("keystore is locked by the OS", e.detail)
            assertEquals(0u, reopened.failedUnlocks(), "not her mistake")
            reopened.unlock(PIN)
            assertEquals(1, reopened.findPeople("").size)
            reopened.close()
        },

        "wipe destroys the file and the keystore secret" to {
            val keystore = MemoryKeyStore()
            val (vault, file) = newVault(keystore)
            vault.addPerson(jadeDraft())
            vault.wipe()
            assertFalse(file.exists())
            assertTrue(keystore.secrets.isEmpty())
            expectThrows<NightroundException.Shredded> { vault.findPeople("") }
            expectThrows<NightroundException.NoVault> { NightroundVault.open(file.path, keystore) }
            vault.close()
        },

        "ten wrong PINs shred the vault" to {
            val keystore = MemoryKeyStore()
            val (vault, file) = newVault(keystore)
            vault.addPerson(jadeDraft())
            vault.lock()
            for (i in 1..9) {
                val e = expectThrows<NightroundException.WrongPin> { vault.unlock("00000$i") }
                assertEquals((10 - i).toUInt(), e.attemptsLeft)
            }
            expectThrows<NightroundException.Shredded> { vault.unlock("000000") }
            assertFalse(file.exists())
            assertTrue(keystore.secrets.isEmpty())
            vault.close()
        },

        "the directory is the leaflet" to {
            val (vault, _) = newVault()
            val dir = vault.directory()
            assertNotNull(dir.areas.find { it.name == "York Road" })
            assertNotNull(dir.areas.find { it.name == "Ambleside Drive" })
            val stars = dir.agencies.first { it.id == "stars" }
            assertEquals(24u, stars.response.redHours)
            assertEquals(11, dir.supplies.size)
            assertEquals(null, vault.lastArea())
            vault.recordContact(contactDraft(null, listOf()))
            assertEquals("ambleside_drive", vault.lastArea())
            vault.close()
        },
    )
}
