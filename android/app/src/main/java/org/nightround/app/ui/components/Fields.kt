package org.nightround.app.ui.components

import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.heightIn
import androidx.compose.foundation.text.KeyboardOptions
import androidx.compose.material3.OutlinedTextField
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.ui.Modifier
import androidx.compose.ui.semantics.contentDescription
import androidx.compose.ui.semantics.error
import androidx.compose.ui.semantics.semantics
import androidx.compose.ui.text.input.ImeAction
import androidx.compose.ui.text.input.KeyboardCapitalization
import androidx.compose.ui.text.input.KeyboardType
import org.nightround.app.ui.theme.Dimens

/**
 * A text field for what she says and what the worker sees. Autocorrect is
 * off (it would "correct" names and learn them), and the root's
 * [IncognitoKeyboard] asks the keyboard not to learn anything typed here.
 * Values live only in the screen's state holder, never in saved instance state.
 */
@Composable
fun PlainField(
    value: String,
    onValueChange: (String) -> Unit,
    label: String,
    modifier: Modifier = Modifier,
    description: String = label,
    singleLine: Boolean = true,
    minLines: Int = 1,
    supporting: String? = null,
    problem: String? = null,
    keyboardType: KeyboardType = KeyboardType.Text,
    capitalization: KeyboardCapitalization = KeyboardCapitalization.Sentences,
    imeAction: ImeAction = if (singleLine) ImeAction.Next else ImeAction.Default,
    enabled: Boolean = true,
) {
    val helper = problem ?: supporting
    OutlinedTextField(
        value = value,
        onValueChange = onValueChange,
        label = { Text(label) },
        singleLine = singleLine,
        minLines = minLines,
        enabled = enabled,
        isError = problem != null,
        supportingText = if (helper != null) {
            { Text(helper) }
        } else {
            null
        },
        keyboardOptions = KeyboardOptions(
            capitalization = capitalization,
            autoCorrectEnabled = false,
            keyboardType = keyboardType,
            imeAction = imeAction,
        ),
        modifier = modifier
            .fillMaxWidth()
            .heightIn(min = Dimens.Touch)
            .semantics {
                contentDescription = description
                if (problem != null) error(problem)
            },
    )
}
