#!/usr/bin/env bash
# ios/check-shape.sh: static checks of the iOS app that run on Linux CI,
# where there is no Swift toolchain to build it. bash + python3 only.
#
# It checks what a reviewer would otherwise have to remember:
#   * configuration: complete file protection by entitlement, the background
#     task identifiers (Info.plist and Swift agree), dark by default, the
#     package, the XcodeGen spec and the XCFramework script;
#   * the keystore: random 32-byte secrets in generic-password items
#     `kSecAttrAccessibleWhenUnlockedThisDeviceOnly`, sealed by a Secure Enclave
#     P-256 key (ECIES) where there is one, both deleted by deleteSecret;
#   * locking: the privacy cover when the scene is not active, the vault
#     locked when it goes to the background, the lock policy, quick exit;
#   * sync: BGAppRefreshTask + BGProcessingTask needing network, NWPathMonitor,
#     off the main actor, Revoked back to enrolment;
#   * the Swift matches the generated bindings: every `vault.method(` call (and
#     `NightroundVault.create/open(`, `enrolDevice(`) names a function in
#     bindings/swift/nightround_ffi.swift with the same argument labels; every
#     NightroundError case has words; the enum case lists are complete;
#   * the lone-worker round: its files, every round call of the core made
#     through the gateway, help calls sent on one tap and synced at once,
#     the live channel only while in front, reminders with a "Check in"
#     action registered at launch, safety alerts above team alerts;
#   * the reminder's "Check in" action: .authenticationRequired and not
#     .foreground (ADR 0004), `vault.checkInWhileLocked(` as generated, the
#     vault opened without unlocking, a sync after it inside a background task
#     assertion, round id and interval only in the reminders' userInfo;
#   * issue 13, item 10: the duress PIN, the kept changes after a wipe, supplies
#     without a contact, profile edits and referral moves reach the core's calls;
#     the enrolment QR code is read by AVFoundation's metadata output (QR only,
#     no photo, permission words in Info.plist) and parsed and enrolled with by
#     the core (parseEnrolmentLink, enrolFromLink), typing kept as the fallback;
#   * shell rules: one text field component with autocorrection off, every
#     control labelled for VoiceOver, primary actions at the bottom, 56 pt
#     targets, content-free notifications, no judging words, no TODOs.
#
# Prints one PASS/FAIL line per check and `N passed, N failed`; exits 1 if
# anything failed.
set -euo pipefail

IOS_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$IOS_DIR/.." && pwd)"
command -v python3 >/dev/null 2>&1 || { echo "FAIL python3 is needed"; echo "0 passed, 1 failed"; exit 1; }

exec python3 - "$IOS_DIR" "$REPO" <<'PY'
import os
import plistlib
import re
import sys

IOS, REPO = sys.argv[1], sys.argv[2]
APP = os.path.join(IOS, "Nightround")
FFI = os.path.join(REPO, "bindings", "swift", "nightround_ffi.swift")
CORE = os.path.join(REPO, "bindings", "swift", "nightround_core.swift")
passed = failed = 0


def report(ok, name, detail=""):
    global passed, failed
    if ok:
        passed += 1
        print(f"PASS {name}")
    else:
        failed += 1
        print(f"FAIL {name}" + (f": {detail}" if detail else ""))


def read(path):
    try:
        with open(path, encoding="utf-8") as f:
            return f.read()
    except OSError:
        return ""


def rel(path):
    return os.path.relpath(path, REPO)


# --- Swift lexing: enough to strip comments and skip strings -----------------

def skip_string(s, i):
    """s[i] starts a string literal; return the index just after it."""
    if s.startswith('"""', i):
        end = s.find('"""', i + 3)
        return len(s) if end < 0 else end + 3
    i += 1
    while i < len(s):
        c = s[i]
        if c == "\\":
            if i + 1 < len(s) and s[i + 1] == "(":
                i = skip_group(s, i + 1)
                continue
            i += 2
            continue
        if c == '"' or c == "\n":
            return i + 1
        i += 1
    return i


def skip_group(s, i):
    """s[i] is ( [ or {; return the index just after its match."""
    pairs = {"(": ")", "[": "]", "{": "}"}
    stack = [pairs[s[i]]]
    i += 1
    while i < len(s) and stack:
        c = s[i]
        if c == '"':
            i = skip_string(s, i)
            continue
        if c in pairs:
            stack.append(pairs[c])
        elif c in ")]}":
            if stack and c == stack[-1]:
                stack.pop()
        i += 1
    return i


def strip_comments(s):
    """Blank out // and /* */ comments, keeping strings and line numbers."""
    out, i = [], 0
    while i < len(s):
        if s.startswith("//", i):
            j = s.find("\n", i)
            j = len(s) if j < 0 else j
            out.append(" " * (j - i))
            i = j
        elif s.startswith("/*", i):
            j = s.find("*/", i + 2)
            j = len(s) if j < 0 else j + 2
            out.append(re.sub(r"[^\n]", " ", s[i:j]))
            i = j
        elif s[i] == '"':
            j = skip_string(s, i)
            out.append(s[i:j])
            i = j
        else:
            out.append(s[i])
            i += 1
    return "".join(out)


def string_literals(s):
    """The string literals of comment-free Swift source."""
    found, i = [], 0
    while i < len(s):
        if s[i] == '"':
            j = skip_string(s, i)
            found.append(s[i:j])
            i = j
        else:
            i += 1
    return found


def top_level_split(s):
    """Split an argument or parameter list on commas outside brackets."""
    parts, depth, cur, i = [], 0, [], 0
    while i < len(s):
        c = s[i]
        if c == '"':
            j = skip_string(s, i)
            cur.append(s[i:j])
            i = j
            continue
        if c in "([{<":
            depth += 1
        elif c in ")]}>":
            depth -= 1
        if c == "," and depth == 0:
            parts.append("".join(cur))
            cur = []
        else:
            cur.append(c)
        i += 1
    if "".join(cur).strip():
        parts.append("".join(cur))
    return parts


def call_labels(args):
    labels = []
    for arg in top_level_split(args):
        m = re.match(r"\s*(\w+)\s*:(?!:)", arg)
        labels.append(m.group(1) if m else "_")
    return labels


def swift_files(root, skip_generated=True):
    for base, dirs, files in os.walk(root):
        if skip_generated and os.path.basename(base) == "Generated":
            continue
        dirs[:] = [d for d in dirs if not (skip_generated and d == "Generated") and not d.startswith(".")]
        for name in sorted(files):
            if name.endswith(".swift"):
                yield os.path.join(base, name)


sources = {p: strip_comments(read(p)) for p in list(swift_files(APP)) + list(swift_files(os.path.join(IOS, "NightroundCore")))}
raw_sources = {p: read(p) for p in sources}
app_text = "\n".join(sources.values())


def source(name):
    for path, text in sources.items():
        if os.path.basename(path) == name:
            return text
    return ""


# --- files -------------------------------------------------------------------
for f in ["project.yml", "Nightround/Info.plist", "Nightround/Nightround.entitlements",
          "NightroundCore/Package.swift", "build-xcframework.sh", "README.md", ".gitignore"]:
    report(os.path.isfile(os.path.join(IOS, f)), f"exists: ios/{f}")
for f in ["Nightround/Screens/Round/RoundModel.swift", "Nightround/Screens/Round/RoundScreen.swift",
          "Nightround/Sync/LiveListener.swift", "Nightround/Sync/CheckInReminder.swift",
          "Nightround/Screens/Alerts/SafetyAlertCard.swift",
          "Nightround/Screens/Settings/DuressPinModel.swift", "Nightround/Screens/Settings/DuressPinScreen.swift",
          "Nightround/Screens/Restock/RestockModel.swift", "Nightround/Screens/Restock/RestockScreen.swift",
          "Nightround/Screens/Person/PersonEditModel.swift", "Nightround/Screens/Person/PersonEditScreen.swift",
          "Nightround/Screens/Enrol/QRScannerView.swift"]:
    report(os.path.isfile(os.path.join(IOS, f)), f"exists: ios/{f}")
report(len(sources) > 20, f"ios/ holds the app's Swift sources ({len(sources)} files)")

# --- Info.plist and entitlements -----------------------------------------------
def load_plist(path):
    try:
        with open(path, "rb") as f:
            return plistlib.load(f)
    except Exception as e:  # noqa: BLE001 - any parse failure is a FAIL
        return {"__error__": str(e)}


info = load_plist(os.path.join(APP, "Info.plist"))
ent = load_plist(os.path.join(APP, "Nightround.entitlements"))
report("__error__" not in info, "Info.plist parses", info.get("__error__", ""))
report("__error__" not in ent, "entitlements parse", ent.get("__error__", ""))
report(ent.get("com.apple.developer.default-data-protection") == "NSFileProtectionComplete",
       "entitlements: default data protection is NSFileProtectionComplete")
report("FileProtectionType.complete" in source("VaultLocation.swift"),
       "vault folder created with FileProtectionType.complete and excluded from backup"
       if "isExcludedFromBackup" in source("VaultLocation.swift") else "vault folder protection")

bg_swift = source("BackgroundSync.swift")
swift_ids = dict(re.findall(r"static let (refreshIdentifier|processingIdentifier) = \"([^\"]+)\"", bg_swift))
plist_ids = info.get("BGTaskSchedulerPermittedIdentifiers", [])
report(len(swift_ids) == 2 and sorted(swift_ids.values()) == sorted(plist_ids),
       "BGTaskSchedulerPermittedIdentifiers match BackgroundSync's identifiers",
       f"plist {plist_ids}, swift {sorted(swift_ids.values())}")
modes = info.get("UIBackgroundModes", [])
report("fetch" in modes and "processing" in modes, "UIBackgroundModes has fetch and processing", str(modes))
report(bool(info.get("NSFaceIDUsageDescription")), "Info.plist explains Face ID (NSFaceIDUsageDescription)")
report("QR code" in (info.get("NSCameraUsageDescription") or ""),
       "Info.plist explains the camera: the enrolment QR code only (NSCameraUsageDescription)")
report(info.get("UIUserInterfaceStyle") == "Dark" and ".preferredColorScheme(.dark)" in source("NightroundApp.swift"),
       "dark by default (UIUserInterfaceStyle Dark, preferredColorScheme)")

# --- project, package, script ----------------------------------------------------
yml = read(os.path.join(IOS, "project.yml"))
report(all(s in yml for s in ["INFOPLIST_FILE: Nightround/Info.plist",
                               "CODE_SIGN_ENTITLEMENTS: Nightround/Nightround.entitlements",
                               "path: NightroundCore", "package: NightroundCore"]),
       "project.yml: Info.plist, entitlements and the NightroundCore package")
pkg = read(os.path.join(IOS, "NightroundCore", "Package.swift"))
report('.library(name: "NightroundCore"' in pkg
       and re.search(r'\.binaryTarget\(\s*name:\s*"NightroundCoreFFI",\s*path:\s*"NightroundCoreFFI\.xcframework"', pkg) is not None,
       "Package.swift: library NightroundCore over binaryTarget NightroundCoreFFI.xcframework")
gi = read(os.path.join(IOS, ".gitignore"))
report("Generated/" in gi and "NightroundCoreFFI.xcframework" in gi and "Nightround.xcodeproj" in gi,
       ".gitignore keeps build outputs (generated Swift, XCFramework, .xcodeproj) out of git")
sh = read(os.path.join(IOS, "build-xcframework.sh"))
report(all(t in sh for t in ["aarch64-apple-ios ", "aarch64-apple-ios-sim", "x86_64-apple-ios"])
       and 'cargo build --release -p "$FFI_CRATE" --target "$t"' in sh,
       "build-xcframework.sh builds the three iOS targets in release")
report("lipo -create" in sh and "-create-xcframework" in sh and "module.modulemap" in sh,
       "build-xcframework.sh: lipo simulator slices, one module.modulemap, xcodebuild -create-xcframework")
report("cargo build -p uniffi-bindgen" in sh and "generate --library" in sh and "--language swift" in sh,
       "build-xcframework.sh: uniffi-bindgen built on its own, bindings generated in library mode")

# --- keystore ------------------------------------------------------------------------
ks = source("KeychainKeyStore.swift")
items = source("KeychainItems.swift")
enc = source("EnclaveWrapper.swift")
keystore_all = ks + items + enc + source("KeychainWords.swift") + source("StoredSecret.swift")
report(re.search(r"final class KeychainKeyStore:\s*PlatformKeyStore", ks) is not None,
       "KeychainKeyStore implements the core's PlatformKeyStore")
report("SecRandomCopyBytes" in ks and "count: 32" in ks, "secrets are 32 bytes from SecRandomCopyBytes")
report("kSecClassGenericPassword" in items and "kSecAttrAccessibleWhenUnlockedThisDeviceOnly" in items,
       "secrets are generic-password items, kSecAttrAccessibleWhenUnlockedThisDeviceOnly")
report("kSecAttrTokenIDSecureEnclave" in enc and "kSecAttrKeyTypeECSECPrimeRandom" in enc
       and "eciesEncryptionCofactorVariableIVX963SHA256AESGCM" in enc
       and "SecKeyCreateEncryptedData" in enc and "SecKeyCreateDecryptedData" in enc,
       "secrets sealed by a Secure Enclave P-256 key (ECIES cofactor X9.63 SHA-256 AES-GCM)")
report("SecureEnclave.isAvailable" in ks, "plain keychain item only where there is no Secure Enclave (simulators)")
m = re.search(r"func deleteSecret\(name: String\) throws \{(.*?)\n    \}", ks, re.S)
report(m is not None and "items.delete" in m.group(1) and "enclave.deleteKey" in m.group(1),
       "deleteSecret deletes both the keychain item and the Enclave key")
report("KeyStoreFailure.Unavailable" in keystore_all or ".Unavailable(detail:" in keystore_all,
       "keystore failures are KeyStoreFailure.Unavailable")
report(not re.search(r"\bprint\(|NSLog\(", app_text), "no print/NSLog anywhere (nothing about her reaches a log)")

# --- locking and privacy --------------------------------------------------------------------
root = source("RootView.swift")
app_model = source("AppModel.swift")
gateway = source("VaultGateway.swift")
report("struct PrivacyCover: View" in source("PrivacyCover.swift"), "PrivacyCover view exists")
report("scenePhase != .active" in root and "PrivacyCover()" in root and "PrivacyShield.shared.raise()" in root,
       "privacy cover over the app (and its own window) whenever scenePhase is not .active")
report(re.search(r"case \.background:\s*\n\s*lockNow\(\)", app_model) is not None
       and re.search(r"func lockNow\(\) \{\s*\n\s*vault\.lock\(\)", gateway) is not None
       and "app.scenePhaseChanged(to: phase)" in root,
       "scenePhase .background locks the vault (vault.lock())")
report(re.search(r"setLockPolicy\(idleTimeoutSeconds: \w+, maxFailedUnlocks: \w+\)", app_model) is not None
       and "maxFailedUnlocks: UInt32 = 10" in app_model
       and "defaultIdleTimeout: UInt32 = 120" in source("ShellPreferences.swift"),
       "lock policy set on open: idle 120 s by default, 10 wrong PINs")
qe = re.search(r"func quickExit\(\) \{(.*?)\n    \}", app_model, re.S)
report(qe is not None and "lockNow()" in qe.group(1) and "route = .exited" in qe.group(1)
       and "app.quickExit()" in source("QuickExitButton.swift") and "QuickExitButton()" in source("ScreenChrome.swift"),
       "quick exit on every screen: locks and shows the neutral screen")
report("PinPad(" in source("UnlockScreen.swift") and "vault.unlock(pin:" in source("UnlockModel.swift")
       and ".biometryCurrentSet" in source("BiometricResume.swift") and "resume.forget()" in app_model,
       "PIN always unlocks; Face ID only re-unlocks within a session")

# --- sync ------------------------------------------------------------------------------------
report("BGAppRefreshTaskRequest" in bg_swift and "BGProcessingTaskRequest" in bg_swift
       and "requiresNetworkConnectivity = true" in bg_swift and "BGTaskScheduler.shared.register" in bg_swift,
       "BGTaskScheduler: app refresh + processing task that requires network")
report("NWPathMonitor" in source("NetworkWatcher.swift") and "networkChanged(satisfied:" in app_model,
       "NWPathMonitor: sync when the network comes back")
runner = source("SyncRunner.swift")
report("actor SyncRunner" in runner and "gateway.background" in runner and "vault.sync()" in runner,
       "sync runs off the main actor (actor + background queue)")
report("case .Revoked: self = .revoked" in source("VaultEvent.swift")
       and re.search(r"case \.revoked:\s*\n\s*forget\(", app_model) is not None
       and "route = .enrol(" in app_model,
       "NightroundError.Revoked shows enrolment")

# --- calls into the vault match the generated bindings -----------------------------------------
ffi = read(FFI)
core = read(CORE)
report(bool(ffi), f"generated bindings present: {rel(FFI)}")


def signatures(text):
    sigs = {}
    for m in re.finditer(r"^(?:open|public)\s+(static\s+)?func\s+`?(\w+)`?\(([^)]*)\)", text, re.M):
        params = strip_comments(m.group(3))
        labels = [p.split(":")[0].strip() for p in top_level_split(params) if p.strip()]
        sigs[m.group(2)] = (bool(m.group(1)), labels)
    return sigs


# The class runs from its declaration to its FfiConverter (its methods'
# braces sit in column 0, so a closing brace does not mark its end).
start = ffi.find("open class NightroundVault:")
stop = ffi.find("public struct FfiConverterTypeNightroundVault", max(start, 0))
vault_sigs = signatures(ffi[start:stop if stop > 0 else len(ffi)]) if start >= 0 else {}
free_sigs = {m.group(1): (False, [p.split(":")[0].strip() for p in top_level_split(strip_comments(m.group(2))) if p.strip()])
             for m in re.finditer(r"^public func (\w+)\(([^)]*)\)", ffi, re.M)
             if not m.group(1).startswith(("FfiConverter", "uniffi"))}
report(len(vault_sigs) > 20, f"NightroundVault in the bindings declares {len(vault_sigs)} functions")

calls = {}  # (kind, name, labels) -> first place


def collect(pattern, kind):
    for path, text in sources.items():
        for m in re.finditer(pattern, text):
            end = skip_group(text, m.end() - 1)
            labels = tuple(call_labels(text[m.end():end - 1]))
            line = text.count("\n", 0, m.start()) + 1
            calls.setdefault((kind, m.group(1), labels), f"{rel(path)}:{line}")


collect(r"(?<![\w.])vault\.(\w+)\(", "vault")
collect(r"(?<![\w.])NightroundVault\.(\w+)\(", "static")
collect(r"(?<![\w.])(" + "|".join(free_sigs) + r")\(" if free_sigs else r"(?!x)x", "free")
report(len([c for c in calls if c[0] == "vault"]) >= 15,
       f"found {len([c for c in calls if c[0] == 'vault'])} distinct vault calls in ios/ Swift")
for (kind, name, labels), where in sorted(calls.items()):
    shown = f"{'vault.' if kind == 'vault' else 'NightroundVault.' if kind == 'static' else ''}{name}({''.join(l + ':' for l in labels)})"
    table = vault_sigs if kind in ("vault", "static") else free_sigs
    sig = table.get(name)
    if sig is None:
        report(False, f"{shown} exists in nightround_ffi.swift", f"no func {name}( ({where})")
        continue
    is_static, expected = sig
    if kind == "static" and not is_static:
        report(False, f"{shown} is a static func", where)
        continue
    report(list(labels) == expected, f"{shown} exists in nightround_ffi.swift with these labels",
           f"expected ({', '.join(expected)}) at {where}")

# The lone-worker round calls each of the core's round functions somewhere
# (their labels are checked against the bindings just above).
round_calls = {"roundScreen", "startRound", "checkIn", "checkInWhileLocked", "callForHelp", "endRound",
               "safetyAlerts", "listen"}
called = {name for (kind, name, _labels) in calls if kind == "vault"}
report(round_calls <= called, "the app calls every round function of the core",
       ", ".join(sorted(round_calls - called)))

# --- issue 13, item 10: what the core allowed and the app could not reach ---------------------
item10 = {"setDuressPin", "hasDuressPin", "clearDuressPin", "recordSupplies", "updatePerson", "setReferralStatus"}
report(item10 <= called, "the app calls the duress PIN, supplies-only, profile edit and referral move functions",
       ", ".join(sorted(item10 - called)))
free_called = {name for (kind, name, _labels) in calls if kind == "free"}
item10_free = {"deliverUndelivered", "parseEnrolmentLink", "enrolFromLink", "nextStatuses"}
report(item10_free <= free_called, "the app calls deliverUndelivered, parseEnrolmentLink, enrolFromLink and nextStatuses",
       ", ".join(sorted(item10_free - free_called)))
enrol_model = source("EnrolModel.swift")
report("deliverUndelivered(vaultPath:" in enrol_model and "deliverKeptChanges()" in source("EnrolScreen.swift"),
       "the enrol screen sends the changes a wipe kept before she enrols again")
report("parseEnrolmentLink(text:" in enrol_model and "enrolFromLink(link:" in enrol_model
       and not re.search(r"URLComponents|URLQueryItem|\.split\(|components\(separatedBy", enrol_model),
       "the scanned text is read by the core, not the shell (parseEnrolmentLink, enrolFromLink)")
report("enrolDevice(serverUrl:" in enrol_model and "PlainField(\"Code\"" in source("EnrolScreen.swift"),
       "typing the code stays the fallback")
qr = source("QRScannerView.swift")
report("AVCaptureMetadataOutput()" in qr and "metadataObjectTypes = [.qr]" in qr
       and "setMetadataObjectsDelegate(self, queue: .main)" in qr,
       "QR scanner: AVCaptureMetadataOutput, QR codes only, delegate on the main queue")
report(not re.search(r"AVCapturePhotoOutput|AVCaptureMovieFileOutput|AVCaptureVideoDataOutput|UIImageWriteToSavedPhotosAlbum", qr),
       "QR scanner: no frame is captured or saved")
report("requestAccess(for: .video)" in qr and re.search(r"sessionQueue\.async \{ [\w.]*session\.startRunning\(\) \}", qr)
       and "onUnavailable" in qr,
       "QR scanner: asks for the camera when opened, starts off the main thread, falls back to typing")
camera_users = [rel(p) for p, t in sources.items() if "AVCaptureDevice" in t]
report([os.path.basename(p) for p in camera_users] == ["QRScannerView.swift"], "only the QR scanner touches the camera",
       ", ".join(camera_users))
route = source("AppRoute.swift")
report(all(r in route for r in ["case editPerson(", "case restock", "case duressPin"])
       and "AppRoute.duressPin" in source("SettingsScreen.swift")
       and ".restock" in source("TonightScreen.swift")
       and "AppRoute.editPerson(" in source("PersonScreen.swift"),
       "the new screens are reachable: duress PIN from Settings, supplies only from Tonight, profile edit from her page")
report("nextStatuses(status:" in source("ReferralRow.swift") and "model.move(referralId:" in source("PersonScreen.swift"),
       "a referral moves to the statuses the core allows next (nextStatuses), from her page")

# --- the lone-worker round ------------------------------------------------------------------
round_model = source("RoundModel.swift")
round_screen = source("RoundScreen.swift")
live = source("LiveListener.swift")
reminder = source("CheckInReminder.swift")
alerts_screen = source("AlertsScreen.swift")
report("@MainActor" in round_model and "@Observable" in round_model and "gateway.call" in round_model
       and "DispatchQueue.main" not in round_model,
       "RoundModel: @MainActor @Observable, vault calls through the gateway (off the main thread)")
help_at = round_model.find("vault.callForHelp()")
report(help_at >= 0 and "await sync(true)" in round_model[help_at:]
       and "syncNow(fresh: fresh)" in round_screen and "fresh: Bool" in runner,
       "a help call is followed at once by a sync of its own (SyncRunner fresh), off the main thread")
help_button = round_screen[round_screen.find("private var helpButton"):]
help_button = help_button[:help_button.find("\n    }\n")]
report("model.callForHelp" in help_button and "confirmationDialog" not in help_button
       and "confirmsHelp" not in round_screen,
       '"Need help now" sends on one tap (no dialog in the way), as the issue asks')
report("case round" in source("AppRoute.swift") and "LoneWorkerRoundScreen(gateway: gateway)" in source("AppRoute.swift")
       and "path.append(.round)" in source("TonightScreen.swift"),
       "the round screen is an AppRoute, reached from tonight's screen")
report("gateway.live" in live and "vault.listen(waitSeconds: LiveListener.waitSeconds)" in live
       and re.search(r"static let waitSeconds: UInt32 = 25\b", live) is not None
       and "Task.sleep" in live and "Task.isCancelled" in live,
       "LiveListener: listen(waitSeconds: 25) on its own queue, backs off on errors, stops when cancelled")
lock_now = re.search(r"func lockNow\(\) \{(.*?)\n    \}", app_model, re.S)
report(re.search(r"guard route == \.main, isInFront, openRound != nil", app_model) is not None
       and lock_now is not None and "liveListener.stop()" in lock_now.group(1)
       and re.search(r"case \.background:\s*\n\s*lockNow\(\)\s*\n\s*isInFront = false", app_model) is not None,
       "the live channel runs only unlocked, in front, with a round open; stops on background and locking")
report("secondsSinceInteraction()" in app_model and "OSAllocatedUnfairLock" in gateway,
       "the idle timeout still applies while the live channel keeps the core busy")
report("UNCalendarNotificationTrigger" in reminder and "round.remindAt" in reminder
       and "UNNotificationAction(" in reminder and "removePendingNotificationRequests" in reminder
       and "CheckInReminder.shared.update(for: round)" in app_model,
       "check-in reminders at remindAt with a Check in action, removed when the round ends")
report("TeamAlertNotifier.registerCategories()" in source("AppDelegate.swift")
       and "CheckInReminder.category" in source("TeamAlertNotifier.swift"),
       "notification categories (with the check-in action) registered at launch, all in one set")
report("didReceive response" in source("ForegroundNotifications.swift")
       and "CheckInReminder.shared.opened(" in source("ForegroundNotifications.swift"),
       "a tapped reminder or safety notification opens its screen after the PIN")
# The reminder's "Check in" checks in without the app's PIN, so iOS must ask
# for the device's passcode (ADR 0004: a snatched phone cannot be made to say
# she is fine), and it must not bring the app forward to the PIN.
action_options = None
for m in re.finditer(r"UNNotificationAction\(", reminder):
    args = reminder[m.end():skip_group(reminder, m.end() - 1) - 1]
    if re.search(r"identifier:\s*(Self\.|CheckInReminder\.)?checkInActionIdentifier\b", args):
        o = re.search(r"options:\s*\[([^\]]*)\]", args)
        action_options = set(re.findall(r"\.(\w+)", o.group(1))) if o else set()
report(action_options is not None and "authenticationRequired" in action_options
       and "foreground" not in action_options,
       'the "Check in" action is .authenticationRequired and not .foreground',
       f"options {sorted(action_options) if action_options is not None else 'not found'}")
lw = vault_sigs.get("checkInWhileLocked")
lw_calls = [labels for (kind, name, labels) in calls if kind == "vault" and name == "checkInWhileLocked"]
report(lw is not None and not lw[0] and lw_calls and all(list(l) == lw[1] for l in lw_calls),
       "vault.checkInWhileLocked(" + "".join(l + ":" for l in (lw[1] if lw else [])) + ") matches nightround_ffi.swift",
       f"bindings {lw}, calls {lw_calls}")
fr = re.search(r"func checkInFromReminder\(roundId: Uuid, checkInMinutes: UInt32\) async throws -> ReminderCheckIn \{(.*?)\n    \}", app_model, re.S)
report(fr is not None and "await start()" in fr.group(1)
       and re.search(r"gateway\.call \{ vault in\s+try vault\.checkInWhileLocked\(roundId: roundId, checkInMinutes: checkInMinutes\)\s+\}", fr.group(1)) is not None
       and "syncRunner.run(gateway, fresh: true)" in fr.group(1) and "unlock(" not in fr.group(1),
       "the action opens the vault without unlocking it, checks in through the gateway, then syncs (fresh)")
fg = source("ForegroundNotifications.swift")
action_time = re.search(r"final class NotificationActionTime \{(.*?)\n\}", reminder, re.S)
report("withCompletionHandler completionHandler" in fg and "CheckInReminder.checkInActionIdentifier" in fg
       and "CheckInReminder.shared.checkInFromAction(" in fg and "NotificationActionTime" in fg
       and action_time is not None and "beginBackgroundTask(" in action_time.group(1)
       and "endBackgroundTask(" in action_time.group(1) and "completion?()" in action_time.group(1),
       "didReceive runs the check-in inside a background task assertion, then calls the completion handler")
info_keys = re.search(r"enum InfoKey \{(.*?)\n    \}", reminder, re.S)
keys = set(re.findall(r"static let (\w+) =", info_keys.group(1))) if info_keys else set()
report(keys == {"roundId", "intervalMinutes"}
       and "content.userInfo = round.userInfo" in reminder,
       "reminders carry the round id and interval in userInfo, and nothing else about her",
       f"keys {sorted(keys)}")
report("schedule(remindAt: next.remindAt, due: next.nextCheckInDue, for: request)" in reminder
       and "Date.now.addingTimeInterval" not in reminder
       and "func failed()" in reminder and "app?.open(.round)" in reminder
       and "quiet(CheckInReminder.resultCategoryIdentifier)" in source("TeamAlertNotifier.swift"),
       "after the action: next reminders as the core answered (its rule, not the shell's); on failure a notification that opens the round")
report("vault.safetyAlerts()" in source("AlertsModel.swift") and "SafetyAlertCard(" in source("SafetyAlertCard.swift") + alerts_screen
       and 0 <= alerts_screen.find("safetySection(title:") < alerts_screen.find("section(title: content.here"),
       "safety alerts on the alerts screen, above team alerts, the buddy's first")
vm = re.search(r"^public enum ValidationError\b[^{]*\{(.*?)^\}", core, re.S | re.M)
validation = re.findall(r"^\s*case (\w+)", vm.group(1), re.M) if vm else []
wording_src = source("ErrorWording.swift")
round_reasons = ["checkInIntervalOutOfRange", "roundEndInPast", "roundTooLong", "roundAlreadyOpen", "noOpenRound"]
missing = [c for c in round_reasons if c not in validation or not re.search(r"case \." + c + r"\b", wording_src)]
report(not missing, "ErrorWording words the round's ValidationError cases", ", ".join(missing))

# --- every case of the core's enums has words --------------------------------------------------


def enum_cases(text, name):
    m = re.search(r"^(?:public\s*\n?)?enum " + name + r"\b[^{]*\{(.*?)^\}", text, re.S | re.M)
    return re.findall(r"^\s*case (\w+)", m.group(1), re.M) if m else []


err_cases = enum_cases(ffi, "NightroundError")
wording = source("ErrorWording.swift")
missing = [c for c in err_cases if not re.search(r"(case|,)\s*\." + c + r"\b", wording)]
report(bool(err_cases) and not missing, f"ErrorWording has words for all {len(err_cases)} NightroundError cases", ", ".join(missing))

labels_src = source("Labels.swift")
for enum in ["ConcernCategory", "Severity", "WellbeingFlag", "ContactKind", "Urgency",
             "ReferralStatus", "ConsentMethod", "Role", "SupplyPurpose"]:
    cases = enum_cases(core, enum)
    missing = [c for c in cases if not re.search(r"(case|,)\s*\." + c + r"\b", labels_src)]
    report(bool(cases) and not missing, f"Labels.swift words every {enum} case", ", ".join(missing))
m = re.search(r"extension InfoCategory \{(.*?)\n\}", labels_src, re.S)
report(bool(m) and "infoCategoryText(category: self).label" in m.group(1) and "case ." not in m.group(1),
       "InfoCategory's words are the core's (infoCategoryText), not the app's own")
model = source("ReferralFormModel.swift")
readback = source("ReferralReadBackScreen.swift")
report("vault.previewReferralForm(form: form)" in model and "preview?.lines" in readback
       and "InfoCategory.allCases" not in readback + source("ReferralFormScreen.swift"),
       "the referral read-back is the core's previewReferralForm lines (refused as saving would be)")

records = source("Records+SwiftUI.swift")
for enum in ["ConcernCategory", "Severity", "WellbeingFlag", "ContactKind", "InfoCategory", "Urgency", "ConsentMethod",
             "SupplyPurpose"]:
    m = re.search(r"extension " + enum + r": CaseIterable \{\s*public static var allCases: \[\w+\] \{\s*\[(.*?)\]", records, re.S)
    listed = re.findall(r"\.(\w+)", m.group(1)) if m else []
    report(listed == enum_cases(core, enum), f"{enum}.allCases lists the generated cases in order",
           f"listed {listed}")

# --- shell rules ------------------------------------------------------------------------------
bare = [f"{rel(p)}" for p, t in sources.items()
        if re.search(r"(?<![\w.])TextField\(", t) or re.search(r"\bSecureField\(", t)]
plain = source("PlainField.swift")
report(not bare and "SwiftUI.TextField(" in plain, "text input only through PlainField", ", ".join(bare))
report(".autocorrectionDisabled()" in plain and ".textInputAutocapitalization(capitalization)" in plain
       and "capitalization: TextInputAutocapitalization = .never" in plain,
       "PlainField: autocorrection off, capitalisation .never unless asked")
mt = re.search(r"static let minTouch: CGFloat = (\d+)", source("Theme.swift"))
report(mt is not None and int(mt.group(1)) >= 56, "touch targets at least 56 pt (Theme.minTouch)")

def expression_end(text, i):
    """i is at the opening ( or { of a control; return the end of the whole
    expression: trailing closures (also labelled ones, `} label: {`) and the
    chain of modifiers that follows, each with its arguments and closures."""
    i = skip_group(text, i)
    while True:
        m = re.match(r"[ \t]*(\w+:[ \t]*)?\{", text[i:])
        if m:
            i = skip_group(text, i + m.end() - 1)
            continue
        m = re.match(r"\s*\.\w+", text[i:])
        if m:
            i += m.end()
            n = re.match(r"[ \t]*[({]", text[i:])
            while n:
                i = skip_group(text, i + n.end() - 1)
                n = re.match(r"[ \t]*(\w+:[ \t]*)?\{", text[i:])
            continue
        return i


unlabelled = []
for path, text in sources.items():
    for m in re.finditer(r"(?<![\w.])(Button|Toggle|NavigationLink|Link)\s*[({]", text):
        end = expression_end(text, m.end() - 1)
        if ".accessibilityLabel(" not in text[m.start():end]:
            unlabelled.append(f"{rel(path)}:{text.count(chr(10), 0, m.start()) + 1} {m.group(1)}")
report(not unlabelled, "every Button/Toggle/NavigationLink/Link carries an accessibilityLabel",
       "; ".join(unlabelled[:8]))

bottom_missing = [rel(p) for p, t in sources.items()
                  if "PrimaryButtonStyle()" in t and "struct PrimaryButtonStyle" not in t
                  and ".bottomActions" not in t]
report(not bottom_missing, "primary buttons sit in .bottomActions (thumb reach)", ", ".join(bottom_missing))

notifier = source("TeamAlertNotifier.swift")
bodies = re.findall(r"content\.(?:title|body|subtitle) = (.*)", notifier)
report(bool(bodies) and all("\\(" not in b for b in bodies) and "hiddenPreviewsBodyPlaceholder" in notifier,
       "notifications carry no content (fixed words, hidden-previews placeholder)")
# The reminder's words are passed to one function: check each of them too.
reminder_words = (re.findall(r"content\.(?:title|body|subtitle) = (.*)", reminder)
                  + re.findall(r"(?:body|result): (String\(localized: .*?\"\))", reminder))
report(len(reminder_words) >= 7 and all("\\(" not in b for b in reminder_words)
       and "hiddenPreviewsBodyPlaceholder" in reminder,
       "check-in reminders carry no content either (fixed words, hidden-previews placeholder)")

judging = re.compile(r"prostitut|hooker|whore|junkie|addict|chaotic|non-?compliant|promiscuous|"
                     r"hard to reach|refused to engage|failed to engage|working girl|streetwalker", re.I)
words = [f"{rel(p)}: {lit}" for p, t in sources.items() for lit in string_literals(t) if judging.search(lit)]
report(not words, "no judging words in anything the app says", "; ".join(words[:5]))

todo = [rel(p) for p, t in raw_sources.items() if re.search(r"\b(TODO|FIXME|XXX)\b", t)]
report(not todo, "no TODO/FIXME left in ios/ Swift", ", ".join(todo))

print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
PY
