#!/usr/bin/env bash
# android/check-manifest.sh: static security checks on the Android app, with
# no Android tools (bash + python3 only), for CI.
#
#   android/check-manifest.sh [ANDROID_DIR]     default: the directory of this script
#
# Parses app/src/main/AndroidManifest.xml, the data extraction and backup
# rules and the network security configs, and greps the Kotlin sources for
# the protections that live in code (FLAG_SECURE, the keystore's key
# properties, secret notifications, immutable PendingIntents, the device lock
# on the reminder's one-tap check-in, incognito keyboards). Prints one
# "PASS ..." or "FAIL ..." line per check and ends with exactly
# "N passed, N failed"; exits 1 if any check failed.
set -euo pipefail

ANDROID_DIR="${1:-$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)}"
command -v python3 >/dev/null 2>&1 || { echo "FAIL python3 is required"; echo "0 passed, 1 failed"; exit 1; }

exec python3 - "$ANDROID_DIR" <<'PY'
import pathlib
import re
import sys
import xml.etree.ElementTree as ET

root = pathlib.Path(sys.argv[1]).resolve()
app = root / "app"
src = app / "src"
kotlin_root = src / "main" / "java"
A = "{http://schemas.android.com/apk/res/android}"
ALL_DOMAINS = {
    "root", "file", "database", "sharedpref", "external",
    "device_root", "device_file", "device_database", "device_sharedpref",
}
DEV_HOSTS = {"10.0.2.2", "localhost", "127.0.0.1"}

passed = 0
failed = 0


def check(ok, what, why=""):
    global passed, failed
    if ok:
        passed += 1
        print(f"PASS {what}")
    else:
        failed += 1
        print(f"FAIL {what}" + (f": {why}" if why else ""))


def parse(path):
    try:
        return ET.parse(path).getroot(), None
    except (OSError, ET.ParseError) as e:
        return None, str(e)


def xml_resource(ref, variant="main"):
    """@xml/name -> app/src/<variant>/res/xml/name.xml"""
    if not ref or not ref.startswith("@xml/"):
        return None
    return src / variant / "res" / "xml" / (ref[len("@xml/"):] + ".xml")


def kotlin_files(under=kotlin_root):
    return sorted(under.rglob("*.kt")) if under.exists() else []


def read(path):
    try:
        return path.read_text(encoding="utf-8")
    except OSError:
        return ""


def code_only(text):
    """Kotlin source without comments, so a KDoc that names a protection cannot pass for it."""
    out, i, n = [], 0, len(text)
    while i < n:
        if text.startswith('"""', i):
            j = text.find('"""', i + 3)
            j = n if j < 0 else j + 3
            out.append(text[i:j])
            i = j
        elif text[i] == '"':
            j = i + 1
            while j < n and text[j] != '"' and text[j] != "\n":
                j += 2 if text[j] == "\\" else 1
            out.append(text[i:j + 1])
            i = j + 1
        elif text.startswith("//", i):
            j = text.find("\n", i)
            i = n if j < 0 else j
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            i = n if j < 0 else j + 2
        else:
            out.append(text[i])
            i += 1
    return "".join(out)


def excludes_everything(section):
    """(ok, why) for a <cloud-backup>/<device-transfer>/<full-backup-content> element."""
    if section is None:
        return False, "section missing"
    includes = section.findall("include")
    if includes:
        return False, f"{len(includes)} <include> element(s)"
    excluded = {e.get("domain") for e in section.findall("exclude") if e.get("path") in (".", "./", "")}
    missing = sorted(ALL_DOMAINS - excluded)
    return (not missing), ("not excluded: " + ", ".join(missing)) if missing else ""


# --- Manifest ---------------------------------------------------------------
manifest_path = src / "main" / "AndroidManifest.xml"
manifest, err = parse(manifest_path)
check(manifest is not None, "AndroidManifest.xml parses", err or "")
application = manifest.find("application") if manifest is not None else None
check(application is not None, "manifest has an <application>")
appattr = (lambda name: application.get(A + name)) if application is not None else (lambda name: None)

check(appattr("allowBackup") == "false", "android:allowBackup is false", f"found {appattr('allowBackup')!r}")

# Data extraction rules (Android 12+): cloud backup and device transfer.
der_ref = appattr("dataExtractionRules")
der_path = xml_resource(der_ref)
check(der_path is not None and der_path.exists(), "android:dataExtractionRules points at an XML resource",
      f"found {der_ref!r}")
der, err = parse(der_path) if der_path is not None and der_path.exists() else (None, "missing")
for section in ("cloud-backup", "device-transfer"):
    ok, why = excludes_everything(der.find(section) if der is not None else None)
    check(ok, f"data extraction rules exclude every domain from {section}", why)

# Full backup content (Android 9-11).
fbc = appattr("fullBackupContent")
if fbc == "false":
    check(True, "android:fullBackupContent is false")
else:
    fbc_path = xml_resource(fbc)
    fbc_xml, err = parse(fbc_path) if fbc_path is not None and fbc_path.exists() else (None, "missing")
    ok, why = excludes_everything(fbc_xml)
    check(fbc_xml is not None and ok, "android:fullBackupContent excludes every domain",
          why if fbc_xml is not None else f"found {fbc!r}")

# Cleartext: never in any manifest (main or a build type's overlay).
cleartext = []
for m in sorted(src.glob("*/AndroidManifest.xml")):
    text = read(m)
    if re.search(r'usesCleartextTraffic\s*=\s*"true"', text):
        cleartext.append(str(m.relative_to(root)))
check(not cleartext, "no manifest sets usesCleartextTraffic=true", ", ".join(cleartext))

check(manifest is not None and "android:debuggable" not in read(manifest_path), "manifest does not hard-code android:debuggable")

# Only the launcher activity is exported.
exported = []
if application is not None:
    for comp in list(application):
        if comp.get(A + "exported") == "true":
            launcher = any(
                a.get(A + "name") == "android.intent.action.MAIN"
                for f in comp.findall("intent-filter") for a in f.findall("action")
            )
            if not launcher:
                exported.append(comp.get(A + "name"))
check(not exported, "only the launcher activity is exported", ", ".join(map(str, exported)))

# Lone-worker round: the live channel is a dataSync foreground service, not
# exported, and the permissions it and its notifications need are declared.
P = "android.permission."
declared = {u.get(A + "name") for u in manifest.findall("uses-permission")} if manifest is not None else set()
for perm in ("FOREGROUND_SERVICE", "FOREGROUND_SERVICE_DATA_SYNC", "POST_NOTIFICATIONS"):
    check(P + perm in declared, f"manifest declares {perm}")
live = None
if application is not None:
    live = next((s for s in application.findall("service") if (s.get(A + "name") or "").endswith(".RoundLiveService")), None)
check(live is not None, "RoundLiveService is declared")
check(live is not None and live.get(A + "foregroundServiceType") == "dataSync",
      "RoundLiveService is a dataSync foreground service",
      f"found {live.get(A + 'foregroundServiceType') if live is not None else None!r}")
check(live is not None and live.get(A + "exported") == "false", "RoundLiveService is explicitly not exported")

# The reminder's one-tap check-in: a receiver only the notification's own
# PendingIntent reaches.
action_rx = None
if application is not None:
    action_rx = next((r for r in application.findall("receiver") if (r.get(A + "name") or "").endswith(".CheckInActionReceiver")), None)
check(action_rx is not None, "CheckInActionReceiver (the reminder's one-tap check-in) is declared")
check(action_rx is not None and action_rx.get(A + "exported") == "false", "CheckInActionReceiver is explicitly not exported",
      f"found {action_rx.get(A + 'exported') if action_rx is not None else None!r}")
check(action_rx is not None and action_rx.find("intent-filter") is None, "CheckInActionReceiver has no intent filter")

# --- Network security config ------------------------------------------------
nsc_ref = appattr("networkSecurityConfig")
nsc_name = nsc_ref[len("@xml/"):] if nsc_ref and nsc_ref.startswith("@xml/") else None
check(nsc_name is not None and (src / "main" / "res" / "xml" / f"{nsc_name}.xml").exists(),
      "android:networkSecurityConfig points at an XML resource", f"found {nsc_ref!r}")
for variant_dir in sorted(p for p in src.iterdir() if p.is_dir()) if src.exists() else []:
    if nsc_name is None:
        break
    path = variant_dir / "res" / "xml" / f"{nsc_name}.xml"
    if not path.exists():
        continue
    variant = variant_dir.name
    nsc, err = parse(path)
    base = nsc.find("base-config") if nsc is not None else None
    check(base is not None and base.get("cleartextTrafficPermitted") == "false",
          f"network security config ({variant}): base-config forbids cleartext",
          err or "base-config missing or not cleartextTrafficPermitted=\"false\"")
    allowed = set()
    for dc in (nsc.iter("domain-config") if nsc is not None else []):
        if dc.get("cleartextTrafficPermitted") == "true":
            allowed |= {(d.text or "").strip() for d in dc.findall("domain")}
    if variant == "debug":
        check(allowed <= DEV_HOSTS, "network security config (debug): cleartext only to 10.0.2.2/localhost",
              "also allowed: " + ", ".join(sorted(allowed - DEV_HOSTS)))
    else:
        check(not allowed, f"network security config ({variant}): no domain allows cleartext",
              "allowed: " + ", ".join(sorted(allowed)))

# --- Code: windows, keystore, notifications, keyboards ----------------------
kt = {p: code_only(read(p)) for p in kotlin_files()}

activity_name = None
if application is not None:
    for act in application.findall("activity"):
        if any(a.get(A + "name") == "android.intent.action.MAIN"
               for f in act.findall("intent-filter") for a in f.findall("action")):
            activity_name = act.get(A + "name")
activity_file = None
if activity_name:
    simple = activity_name.split(".")[-1]
    activity_file = next((p for p in kt if p.name == f"{simple}.kt"), None)
activity_src = kt.get(activity_file, "")
check(bool(re.search(r"(setFlags|addFlags)\(\s*WindowManager\.LayoutParams\.FLAG_SECURE", activity_src)),
      "FLAG_SECURE is set on the launcher activity's window",
      f"not found in {activity_file.name if activity_file else activity_name}")

dialog_call = re.compile(r"(?<![\w.])(AlertDialog|BasicAlertDialog|Dialog|Popup|DropdownMenu|ModalBottomSheet)\s*\(")
secure_policy = re.compile(r"securePolicy\s*=\s*SecureFlagPolicy\.SecureOn")
insecure = [p.name for p, t in kt.items() if len(dialog_call.findall(t)) > len(secure_policy.findall(t))]
check(not insecure, "every Compose dialog/popup window sets SecureFlagPolicy.SecureOn", ", ".join(insecure))

keystores = [p for p, t in kt.items() if re.search(r"\)\s*:\s*PlatformKeyStore\b", t)]
check(len(keystores) == 1, "one PlatformKeyStore implementation", f"found {len(keystores)}")
ks = kt.get(keystores[0], "") if keystores else ""
check("setUnlockedDeviceRequired(true)" in ks, "keystore keys need an unlocked device (setUnlockedDeviceRequired)")
check("setIsStrongBoxBacked(" in ks and "StrongBoxUnavailableException" in ks,
      "keystore keys use StrongBox where present, with a fallback")
check("setUserAuthenticationRequired(false)" in ks, "keystore wrapping key needs no user authentication (the PIN is the factor)")
check("AES/GCM/NoPadding" in ks and "KEY_ALGORITHM_AES" in ks and "SecureRandom" in ks,
      "secrets are random and sealed with AES-GCM by a Keystore key")
check("KeyStoreFailure.Unavailable(" in ks, "keystore failures are reported as KeyStoreFailure.Unavailable")
check(any("noBackupFilesDir" in t for t in kt.values()), "vault and sealed secrets live in no-backup storage")

builders = [p for p, t in kt.items() if "NotificationCompat.Builder(" in t or "Notification.Builder(" in t]
check(bool(builders) and all(re.search(r"setVisibility\(\s*(NotificationCompat|Notification)\.VISIBILITY_SECRET", kt[p]) for p in builders),
      "notifications are VISIBILITY_SECRET", ", ".join(p.name for p in builders) or "no notification builder found")
channels = [p for p, t in kt.items() if "NotificationChannel(" in t]
check(bool(channels) and all(re.search(r"lockscreenVisibility\s*=\s*Notification\.VISIBILITY_SECRET", kt[p]) for p in channels),
      "notification channels are secret on the lock screen")



def call_args(text, open_paren):
    """The text between the parenthesis at open_paren and its match."""
    depth, i = 0, open_paren
    while i < len(text):
        if text[i] == "(":
            depth += 1
        elif text[i] == ")":
            depth -= 1
            if depth == 0:
                return text[open_paren + 1:i], i
        i += 1
    return text[open_paren + 1:], len(text)


pending = []
for p, t in kt.items():
    for m in re.finditer(r"PendingIntent\.get(Activity|Broadcast|Service|ForegroundService)\s*\(", t):
        args, _ = call_args(t, m.end() - 1)
        if "FLAG_IMMUTABLE" not in args:
            pending.append(p.name)
check(not pending, "every PendingIntent is FLAG_IMMUTABLE", ", ".join(sorted(set(pending))))

# ADR 0004: the one-tap check-in is made without the app PIN, so its action
# needs the device's screen lock (Android 12+), and is only offered there.
auth_actions, open_actions = 0, []
for p, t in kt.items():
    for m in re.finditer(r"Action\.Builder\s*\(", t):
        args, end = call_args(t, m.end() - 1)
        if "CheckInActionReceiver" not in args:
            continue
        chain = t[end:t.find(".build()", end)]
        gated = re.search(r"if\s*\([^{]*Build\.VERSION\.SDK_INT\s*>=\s*Build\.VERSION_CODES\.S\b[^{]*\)\s*\{\s*$", re.sub(r"[\w.]*$", "", t[:m.start()]))
        if ".setAuthenticationRequired(true)" in chain and gated:
            auth_actions += 1
        else:
            open_actions.append(p.name)
uses = sum(t.count("CheckInActionReceiver.pendingIntent(") for t in kt.values())
check(auth_actions >= 1 and not open_actions and uses == auth_actions,
      "the reminder's check-in action requires the device lock (setAuthenticationRequired(true), API 31+ only)",
      f"{auth_actions} authenticated action(s), {uses} use(s) of its PendingIntent" + (", unguarded in " + ", ".join(open_actions) if open_actions else ""))
check(not any("setAuthenticationRequired(false)" in t for t in kt.values()), "no notification action turns device authentication off")

fields = [p for p, t in kt.items() if re.search(r"(?<![\w.])(OutlinedTextField|TextField|BasicTextField)\s*\(", t)]
check(bool(fields) and all("autoCorrectEnabled = false" in kt[p] for p in fields),
      "text fields turn autocorrect off", ", ".join(p.name for p in fields if "autoCorrectEnabled = false" not in kt[p]))
check(any("IME_FLAG_NO_PERSONALIZED_LEARNING" in t and "InterceptPlatformTextInput" in t for t in kt.values())
      and "IncognitoKeyboard" in activity_src,
      "keyboards are asked not to learn (IME_FLAG_NO_PERSONALIZED_LEARNING at the root)")

check(any("ProcessLifecycleOwner" in t for t in kt.values())
      and any(re.search(r"fun onStop\(.*\)\s*\{\s*session\.lockNow\(\)", t, re.S) for t in kt.values()),
      "the vault locks when the app goes to the background (ProcessLifecycleOwner ON_STOP)")

state_dir = kotlin_root / "org" / "nightround" / "app" / "state"
android_in_state = [p.name for p in kotlin_files(state_dir) if re.search(r"^\s*import\s+(android|androidx)\.", read(p), re.M)]
check(state_dir.exists() and not android_in_state, "state/ holders import no Android (JVM-compilable)", ", ".join(android_in_state))

# Issue 13, item 10: the enrolment QR scanner. The camera is declared but not
# required, asked for in one place only (the scanner, when she taps "Scan"),
# read with CameraX and ML Kit's bundled QR reader, and the text it reads is
# parsed by the core, never by the shell.
check(P + "CAMERA" in declared, "manifest declares CAMERA (enrolment QR code)")
features = {f.get(A + "name"): f.get(A + "required") for f in manifest.findall("uses-feature")} if manifest is not None else {}
check(features.get("android.hardware.camera.any") == "false",
      "the camera is not required (a phone without one enrols by typing)", f"found {features!r}")
askers = [p.name for p, t in kt.items() if "Manifest.permission.CAMERA" in t]
check(askers == ["QrScanner.kt"], "only the QR scanner asks for the camera", ", ".join(askers))
scanner = next((t for p, t in kt.items() if p.name == "QrScanner.kt"), "")
check("LifecycleCameraController" in scanner and "MlKitAnalyzer" in scanner and "Barcode.FORMAT_QR_CODE" in scanner,
      "the scanner uses CameraX + ML Kit, QR codes only")
check(not re.search(r"ImageCapture|takePicture|MediaStore", scanner), "the scanner never captures or saves a frame")
enrol_state = read(state_dir / "EnrolState.kt")
check("parseEnrolmentLink(" in enrol_state and "enrolFromLink(" in enrol_state and "split(" not in enrol_state,
      "the scanned text is read by the core (parseEnrolmentLink) and enrolled with its certificate (enrolFromLink)")
build = read(root / "app" / "build.gradle.kts") + read(root / "gradle" / "libs.versions.toml")
check("com.google.mlkit:barcode-scanning" in build and "androidx.camera:camera-mlkit-vision" in build,
      "the bundled ML Kit barcode model (no Play services download) and CameraX's ML Kit bridge are dependencies")

uniffi_toml = read(root / "uniffi.toml")
check(re.search(r"^\[defaults\.bindings\.kotlin\]", uniffi_toml, re.M) is not None
      and re.search(r"^android\s*=\s*true", uniffi_toml, re.M) is not None,
      "uniffi.toml sets android = true where uniffi 0.32 reads it ([defaults.bindings.kotlin])")

print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
PY
