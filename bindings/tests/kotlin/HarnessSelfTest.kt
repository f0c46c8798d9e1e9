// Checks the test harness itself (TestRunner.kt), so a broken harness cannot
// silently report the binding tests as passing.

object HarnessSelfTests : TestSuite {
    override val name = "harness"

    override val tests = listOf<Pair<String, () -> Unit>>(
        "expectThrows returns the thrown exception of the right type" to {
            val e = expectThrows<IllegalStateException> { error("boom") }
            check(e.message == "boom") { "wrong exception returned: $e" }
        },
        "expectThrows accepts subclasses" to {
            expectThrows<RuntimeException> { throw IllegalArgumentException("sub") }
        },
        "expectThrows fails on the wrong exception type" to {
            val outer = try {
                expectThrows<IllegalArgumentException> { throw UnsupportedOperationException("x") }
                null
            } catch (e: TestFailure) {
                e
            }
            check(outer != null) { "wrong type was not reported" }
            check(outer.cause is UnsupportedOperationException) { "cause not kept: ${outer.cause}" }
        },
        "expectThrows fails when nothing is thrown" to {
            val outer = try {
                expectThrows<IllegalStateException> { }
                null
            } catch (e: TestFailure) {
                e
            }
            check(outer != null) { "missing exception was not reported" }
        },
        "runSuites counts passes and failures and applies filters" to {
            val suite = object : TestSuite {
                override val name = "inner"
                override val tests = listOf<Pair<String, () -> Unit>>(
                    "ok" to { },
                    "bad" to { throw AssertionError("expected") },
                )
            }
            // Keep the inner run's PASS/FAIL lines out of the real output.
            val out = System.out
            val err = System.err
            val sink = java.io.PrintStream(java.io.ByteArrayOutputStream())
            val all: Pair<Int, Int>
            val onlyOk: Pair<Int, Int>
            try {
                System.setOut(sink)
                System.setErr(sink)
                all = runSuites(listOf(suite), emptyList())
                onlyOk = runSuites(listOf(suite), listOf("inner/ok"))
            } finally {
                System.setOut(out)
                System.setErr(err)
            }
            check(all == Pair(1, 1)) { "counted $all" }
            check(onlyOk == Pair(1, 0)) { "filter counted $onlyOk" }
        },
        "testTempDir gives distinct empty directories" to {
            val a = testTempDir("self")
            val b = testTempDir("self")
            check(a.isDirectory && b.isDirectory && a != b) { "$a $b" }
            check(a.listFiles()!!.isEmpty()) { "$a not empty" }
            val root = System.getenv("NIGHTROUND_TEST_TMP")
            if (!root.isNullOrEmpty()) {
                check(a.canonicalPath.startsWith(java.io.File(root).canonicalPath)) { "$a outside $root" }
            }
        },
    )
}
