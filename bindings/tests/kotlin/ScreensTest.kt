// The screens issue 13 (item 8) found without a call, driven from Kotlin as
// the apps will: tonight's display rows, every concern, supply drops, a
// contact or referral by id, the referral read-back, the category words and
// the lock policy kept across a restart. Each list leaves a damaged row out
// and names it.

import java.time.Duration
import java.time.Instant
import kotlin.test.assertEquals
import kotlin.test.assertFalse
import kotlin.test.assertNull
import kotlin.test.assertTrue
import uniffi.nightround_core.*
import uniffi.nightround_ffi.*

fun quietConcern(reportedBy: String?, alertUntil: Instant?) = ConcernDraft(
    category = ConcernCategory.THREATS,
    description = "Man shouting threats from a van",
    vehicle = null,
    areaId = "ambleside_drive",
    at = null,
    severity = Severity.MEDIUM,
    alertUntil = alertUntil,
    policeConsent = false,
    reportedBy = reportedBy,
)

fun restock(quantity: UInt) = SupplyDropDraft(
    at = null,
    areaId = "york_road",
    purpose = SupplyPurpose.RESTOCK_DROP_POINT,
    lines = listOf(SupplyLine("condoms", quantity)),
)

fun harpForm(personId: String) = ReferralForm(
    personId = personId,
    agencyIds = listOf("harp", "essex_police"),
    urgency = Urgency.RED,
    needs = "  somewhere safe tonight ",
    consentMethod = ConsentMethod.VERBAL,
    consentCovers = listOf(InfoCategory.HEALTH, InfoCategory.CONTACT_DETAILS),
    consentReviewAt = null,
)

object ScreensTests : TestSuite {
    override val tests = listOf<Pair<String, () -> Unit>>(
        "8 tonight gives display rows and the summary in one call, paged, a damaged contact named" to {
            val (vault, file) = newVault()
            val since = Instant.now().minus(Duration.ofMinutes(1))
            val jade = vault.addPerson(jadeDraft())
            // Last week is not tonight.
            vault.recordContact(contactDraft(jade.id, emptyList()).copy(at = Instant.now().minus(Duration.ofDays(7))))
            vault.recordContact(contactDraft(jade.id, listOf(SupplyLine("condoms", 10u))))
            val anonymous = vault.recordContact(contactDraft(null, emptyList()))
            val screen = vault.tonight(since, 0u, 50u)
            assertEquals(vault.roundSummary(since), screen.summary)
            assertEquals(2u, screen.total)
            assertEquals(2, screen.rows.size)
            val jadeRow = screen.rows.first { it.personId == jade.id }
            assertEquals("Jade", jadeRow.who)
            assertEquals("Jade", jadeRow.alias)
            assertEquals("Ambleside Drive", jadeRow.areaName)
            assertEquals(10u, jadeRow.itemsHandedOut)
            assertTrue(jadeRow.hasNote)
            assertEquals("Anonymous", screen.rows.first { it.contactId == anonymous.id }.who)
            assertEquals(1, vault.tonight(since, 1u, 1u).rows.size)
            assertTrue(screen.unreadable.isEmpty())
            assertNull(screen.notice)

            flipByteOf(file, "contact", anonymous.id)
            val damaged = vault.tonight(since, 0u, 50u)
            assertEquals(listOf("Jade"), damaged.rows.map { it.who })
            assertEquals(listOf(anonymous.id), damaged.unreadable)
            assertEquals("1 record could not be read; it is left out.", damaged.notice)
            assertEquals(1u, vault.roundSummary(since).contacts)
        },

        "8 every concern is listed, an anonymous one without an alert too; a damaged one is named" to {
            val (vault, file) = newVault()
            val jade = vault.addPerson(jadeDraft())
            val quiet = vault.raiseConcern(quietConcern(null, null))
            val alert = vault.raiseConcern(quietConcern(jade.id, Instant.now().plus(Duration.ofDays(1))))
            assertEquals(1, vault.activeAlerts().size, "the alerts screen shows only the alert")
            val page = vault.concernsPage(0u, 10u)
            assertEquals(2u, page.total)
            assertEquals(setOf(quiet.id, alert.id), page.concerns.map { it.concern.id }.toSet())
            val anon = page.concerns.first { it.concern.id == quiet.id }
            assertTrue(anon.anonymous)
            assertFalse(anon.alertActive)
            assertEquals("Anonymous", anon.reportedBy)
            assertEquals("Ambleside Drive", anon.areaName)
            val shared = page.concerns.first { it.concern.id == alert.id }
            assertTrue(shared.alertActive)
            assertEquals("Jade", shared.reportedBy)
            assertEquals(1, vault.concernsPage(1u, 1u).concerns.size)

            flipByteOf(file, "concern", quiet.id)
            val damaged = vault.concernsPage(0u, 10u)
            assertEquals(listOf(alert.id), damaged.concerns.map { it.concern.id })
            assertEquals(listOf(quiet.id), damaged.unreadable)
            assertTrue(damaged.notice!!.contains("could not be read"))
        },

        "8 supply drops are listed by name, newest first; a damaged one is named" to {
            val (vault, file) = newVault()
            val first = vault.recordSupplies(restock(40u))
            Thread.sleep(5)
            vault.recordSupplies(restock(20u))
            val page = vault.supplyDropsPage(0u, 1u)
            assertEquals(2u, page.total)
            assertEquals(20u, page.drops.single().drop.lines.single().quantity)
            assertEquals("York Road", page.drops.single().areaName)
            assertEquals(20uL, page.drops.single().items.single().quantity)
            flipByteOf(file, "supply_drop", first.id)
            val damaged = vault.supplyDropsPage(0u, 10u)
            assertEquals(1, damaged.drops.size)
            assertEquals(listOf(first.id), damaged.unreadable)
        },

        "8 a contact and a referral by id; unknown is NotFound, malformed is Invalid" to {
            val (vault, _) = newVault()
            val jade = vault.addPerson(jadeDraft())
            val contact = vault.recordContact(contactDraft(jade.id, emptyList()))
            val view = vault.contact(contact.id)
            assertEquals(contact, view.contact)
            assertEquals("Jade", view.row.who)
            val referrals = vault.submitReferralForm(harpForm(jade.id))
            val r = vault.referral(referrals[0].id)
            assertEquals(referrals[0], r.referral)
            assertEquals("HARP", r.agencyName)
            assertEquals("Jade", r.personAlias)
            assertFalse(r.overdue)
            val unknown = java.util.UUID.randomUUID().toString()
            expectThrows<NightroundException.NotFound> { vault.contact(unknown) }
            expectThrows<NightroundException.NotFound> { vault.referral(unknown) }
            val e = expectThrows<NightroundException.Invalid> { vault.referral("not-a-uuid") }
            assertEquals<ValidationError>(ValidationError.MalformedId, e.reason)
        },

        "8 the referral read-back gives the due times saving sets, refuses as saving would, writes nothing" to {
            val (vault, _) = newVault()
            val jade = vault.addPerson(jadeDraft())
            val pending = vault.pendingChanges()
            val rb = vault.previewReferralForm(harpForm(jade.id))
            assertEquals(pending, vault.pendingChanges(), "a read-back writes nothing")
            assertEquals("Jade", rb.personAlias)
            assertEquals("somewhere safe tonight", rb.needs)
            assertEquals(listOf("HARP", "Essex Police"), rb.agencies.map { it.name })
            assertEquals(4u, rb.agencies[1].responseHours)
            assertEquals(listOf("Contact details", "Health"), rb.covers.map { it.label })
            assertEquals("You are agreeing that we refer you to HARP and Essex Police.", rb.lines.first())
            assertEquals("Essex Police have said they will respond within ${responseTimeWords(4u)}.", rb.lines[2])
            assertTrue(rb.lines.contains("The police are on this list because you chose them. You can take them off."), "$rb")
            assertEquals(listOf("how to reach you and who your key worker is", "your health"), rb.covers.map { it.toHer })
            val saved = vault.submitReferralForm(harpForm(jade.id))
            val drift = Duration.between(rb.agencies[1].dueAt, saved[1].dueAt).abs()
            assertTrue(drift < Duration.ofMinutes(1), "saving sets the due time read back ($drift)")
            val e = expectThrows<NightroundException.Invalid> {
                vault.previewReferralForm(harpForm(jade.id).copy(consentCovers = emptyList()))
            }
            assertEquals<ValidationError>(ValidationError.ConsentCoversNothing, e.reason)
            assertHumanMessage(e)
        },

        "8 the information categories' words come from the core" to {
            val all = infoCategories()
            assertEquals(InfoCategory.entries.toSet(), all.map { it.category }.toSet())
            assertEquals(all.size, InfoCategory.entries.size)
            for (t in all) {
                assertTrue(t.label.isNotBlank() && t.meaning.endsWith("."), "${t.category}")
                assertEquals(t, infoCategoryText(t.category))
            }
            assertEquals("Contact details", infoCategoryText(InfoCategory.CONTACT_DETAILS).label)
        },

        "the field limits come from the core and are the ones it enforces" to {
            val (vault, _) = newVault()
            val max = textFieldMaxChars(TextField.NOTE).toInt()
            assertEquals(500, max)
            vault.recordContact(contactDraft(null, emptyList()).copy(note = "n".repeat(max)))
            val e = expectThrows<NightroundException.Invalid> {
                vault.recordContact(contactDraft(null, emptyList()).copy(note = "n".repeat(max + 1)))
            }
            assertEquals<ValidationError>(ValidationError.TextTooLong(TextField.NOTE), e.reason)
            assertTrue(TextField.entries.all { textFieldMaxChars(it) > 0u })
        },

        "8 the lock policy is kept in the vault and governs the next process's unlock" to {
            val keystore = MemoryKeyStore()
            val (vault, file) = newVault(keystore)
            vault.setLockPolicy(300u, 3u)
            // The app is killed; a new process opens the same file.
            val reopened = NightroundVault.open(file.path, keystore)
            assertEquals(LockPolicySetting(300u, 3u), reopened.lockPolicy())
            assertEquals(3u, reopened.unlockStatus().attemptsLeft)
            val e = expectThrows<NightroundException.WrongPin> { reopened.unlock("000000") }
            assertEquals(2u, e.attemptsLeft)
            reopened.unlock(PIN)
            expectThrows<NightroundException.Invalid> { reopened.setLockPolicy(0u, 5u) }
            assertEquals(LockPolicySetting(300u, 3u), NightroundVault.open(file.path, keystore).lockPolicy())
        },
    )
}

object PersonScreenTests : TestSuite {
    override val tests = listOf<Pair<String, () -> Unit>>(
        "8 her screen: consents with their state, her open referrals only, a damaged one named" to {
            val (vault, file) = newVault()
            val jade = vault.addPerson(jadeDraft())
            val ruby = vault.addPerson(jadeDraft().copy(alias = "Ruby"))
            val mine = vault.submitReferralForm(harpForm(jade.id))
            vault.submitReferralForm(harpForm(ruby.id))
            val screen = vault.personScreen(jade.id)
            assertEquals("Jade", screen.person.alias)
            assertEquals(setOf("HARP", "Essex Police"), screen.consents.map { it.agencyName }.toSet())
            assertTrue(screen.consents.all { it.state == ConsentState.VALID })
            assertEquals(mine.map { it.id }.toSet(), screen.openReferrals.map { it.referral.id }.toSet())
            vault.withdrawConsent(screen.consents[0].consent.id)
            assertEquals(ConsentState.WITHDRAWN, vault.personScreen(jade.id).consents
                .first { it.consent.id == screen.consents[0].consent.id }.state)
            flipByteOf(file, "referral", mine[0].id)
            val damaged = vault.personScreen(jade.id)
            assertEquals(listOf(mine[1].id), damaged.openReferrals.map { it.referral.id })
            assertEquals(listOf(mine[0].id), damaged.unreadable)
            expectThrows<NightroundException.NotFound> { vault.personScreen(java.util.UUID.randomUUID().toString()) }
        },
    )
}
