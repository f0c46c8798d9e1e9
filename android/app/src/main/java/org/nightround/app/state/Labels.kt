package org.nightround.app.state

import uniffi.nightround_core.ConcernCategory
import uniffi.nightround_core.ConsentMethod
import uniffi.nightround_core.ConsentState
import uniffi.nightround_core.ContactKind
import uniffi.nightround_core.ReferralStatus
import uniffi.nightround_core.Role
import uniffi.nightround_core.Severity
import uniffi.nightround_core.Urgency
import uniffi.nightround_core.WellbeingFlag

/**
 * The words the screens use for the core's enums. Plain, descriptive and
 * never judging: a record describes what the worker saw and what she asked
 * for, in words she could read over the worker's shoulder.
 */
object Labels {
    fun wellbeing(flag: WellbeingFlag): String = when (flag) {
        WellbeingFlag.INTOXICATED -> "Intoxicated"
        WellbeingFlag.INJURED -> "Injured"
        WellbeingFlag.DISTRESSED -> "Distressed"
        WellbeingFlag.UNWELL -> "Unwell"
        WellbeingFlag.FIRST_CONTACT -> "First time we've met"
        WellbeingFlag.APPEARS_UNDER18 -> "May be under 18"
    }

    fun concern(category: ConcernCategory): String = when (category) {
        ConcernCategory.PHYSICAL_VIOLENCE -> "Physical violence"
        ConcernCategory.SEXUAL_VIOLENCE -> "Sexual violence"
        ConcernCategory.ROBBERY -> "Robbery"
        ConcernCategory.THREATS -> "Threats"
        ConcernCategory.STALKING -> "Following or stalking"
        ConcernCategory.DANGEROUS_VEHICLE -> "Dangerous driver or vehicle"
        ConcernCategory.SPIKING -> "Spiking"
        ConcernCategory.EXPLOITATION -> "Exploitation or coercion"
        ConcernCategory.OTHER -> "Something else"
    }

    fun severity(severity: Severity): String = when (severity) {
        Severity.LOW -> "Be aware"
        Severity.MEDIUM -> "Take care"
        Severity.HIGH -> "Serious danger"
    }

    fun urgency(urgency: Urgency): String = when (urgency) {
        Urgency.RED -> "Red"
        Urgency.AMBER -> "Amber"
        Urgency.GREEN -> "Green"
    }

    fun referralStatus(status: ReferralStatus): String = when (status) {
        ReferralStatus.DRAFT -> "Not sent yet"
        ReferralStatus.QUEUED -> "Waiting to go"
        ReferralStatus.SENT -> "Sent"
        ReferralStatus.ACKNOWLEDGED -> "Agency has seen it"
        ReferralStatus.ACCEPTED -> "Accepted"
        ReferralStatus.DECLINED -> "Agency can't take it on"
        ReferralStatus.CLOSED -> "Closed"
    }

    fun role(role: Role): String = when (role) {
        Role.OUTREACH_WORKER -> "Outreach worker"
        Role.POLICE_OFFICER -> "Police officer"
        Role.SUPERVISOR -> "Supervisor"
        Role.RECEIVING_AGENCY -> "Partner agency"
    }

    fun consentMethod(method: ConsentMethod): String = when (method) {
        ConsentMethod.VERBAL -> "She said yes"
        ConsentMethod.WRITTEN -> "She signed"
    }

    fun consentState(state: ConsentState): String = when (state) {
        ConsentState.VALID -> "In place"
        ConsentState.DUE_FOR_REVIEW -> "Due to be checked with her again"
        ConsentState.WITHDRAWN -> "She withdrew it"
    }

    fun contactKind(kind: ContactKind): String = when (kind) {
        ContactKind.OUTREACH_CONVERSATION -> "Outreach conversation"
        ContactKind.POLICE_WELFARE_CHECK -> "Welfare check"
        ContactKind.DROP_IN_VISIT -> "Drop-in visit"
        ContactKind.PHONE -> "Phone call"
    }

    fun plural(n: Int, unit: String): String = if (n == 1) "1 $unit" else "$n ${unit}s"
}
