package org.nightround.app.ui.theme

import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.Shapes
import androidx.compose.material3.Typography
import androidx.compose.material3.darkColorScheme
import androidx.compose.foundation.shape.RoundedCornerShape
import androidx.compose.runtime.Composable
import androidx.compose.ui.graphics.Color
import androidx.compose.ui.unit.dp
import androidx.compose.ui.unit.sp

/**
 * Dark and dim, always: the app is used at night, often on the street, where
 * a bright screen lights up a face and draws attention. No pure white, no
 * saturated colours; text is large enough to read at arm's length.
 */
private val NightColors = darkColorScheme(
    primary = Color(0xFFB7A4D6),
    onPrimary = Color(0xFF21173A),
    primaryContainer = Color(0xFF3A2F52),
    onPrimaryContainer = Color(0xFFE4DAF4),
    secondary = Color(0xFF93B8B0),
    onSecondary = Color(0xFF0F2420),
    secondaryContainer = Color(0xFF25403A),
    onSecondaryContainer = Color(0xFFCFE6E0),
    tertiary = Color(0xFFD6B482),
    onTertiary = Color(0xFF2E2006),
    tertiaryContainer = Color(0xFF4A3A1C),
    onTertiaryContainer = Color(0xFFF1DFC0),
    error = Color(0xFFE6A5A5),
    onError = Color(0xFF3B1212),
    errorContainer = Color(0xFF5A2626),
    onErrorContainer = Color(0xFFF5DADA),
    background = Color(0xFF0E0F12),
    onBackground = Color(0xFFD5D5DB),
    surface = Color(0xFF0E0F12),
    onSurface = Color(0xFFD5D5DB),
    surfaceVariant = Color(0xFF1C1E24),
    onSurfaceVariant = Color(0xFFB1B2BA),
    surfaceContainerLowest = Color(0xFF0A0B0D),
    surfaceContainerLow = Color(0xFF131418),
    surfaceContainer = Color(0xFF17191D),
    surfaceContainerHigh = Color(0xFF1D1F24),
    surfaceContainerHighest = Color(0xFF24262C),
    outline = Color(0xFF5C5E68),
    outlineVariant = Color(0xFF34363E),
)

private val Base = Typography()

private val NightTypography = Typography(
    headlineSmall = Base.headlineSmall.copy(fontSize = 26.sp, lineHeight = 32.sp),
    titleLarge = Base.titleLarge.copy(fontSize = 24.sp, lineHeight = 30.sp),
    titleMedium = Base.titleMedium.copy(fontSize = 19.sp, lineHeight = 26.sp),
    bodyLarge = Base.bodyLarge.copy(fontSize = 18.sp, lineHeight = 26.sp),
    bodyMedium = Base.bodyMedium.copy(fontSize = 16.sp, lineHeight = 23.sp),
    labelLarge = Base.labelLarge.copy(fontSize = 17.sp, lineHeight = 22.sp),
)

private val NightShapes = Shapes(
    small = RoundedCornerShape(10.dp),
    medium = RoundedCornerShape(14.dp),
    large = RoundedCornerShape(18.dp),
)

@Composable
fun NightroundTheme(content: @Composable () -> Unit) {
    MaterialTheme(colorScheme = NightColors, typography = NightTypography, shapes = NightShapes, content = content)
}
