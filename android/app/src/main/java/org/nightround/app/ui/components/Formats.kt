package org.nightround.app.ui.components

import java.time.Instant
import java.time.ZoneId
import java.time.format.DateTimeFormatter
import java.time.format.FormatStyle
import java.util.Locale

/** How times are shown: the phone's zone and language. */
object Formats {
    private val time: DateTimeFormatter = DateTimeFormatter.ofPattern("HH:mm", Locale.getDefault())
    private val dayTime: DateTimeFormatter = DateTimeFormatter.ofPattern("EEE d MMM, HH:mm", Locale.getDefault())
    private val day: DateTimeFormatter = DateTimeFormatter.ofLocalizedDate(FormatStyle.MEDIUM)

    fun time(at: Instant): String = time.format(at.atZone(ZoneId.systemDefault()))

    fun dayTime(at: Instant): String = dayTime.format(at.atZone(ZoneId.systemDefault()))

    fun day(at: Instant): String = day.format(at.atZone(ZoneId.systemDefault()))
}
