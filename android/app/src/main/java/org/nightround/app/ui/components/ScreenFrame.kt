package org.nightround.app.ui.components

import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.ColumnScope
import androidx.compose.foundation.layout.PaddingValues
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.WindowInsets
import androidx.compose.foundation.layout.fillMaxSize
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.heightIn
import androidx.compose.foundation.layout.imePadding
import androidx.compose.foundation.layout.navigationBarsPadding
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.layout.statusBarsPadding
import androidx.compose.foundation.lazy.LazyColumn
import androidx.compose.foundation.lazy.LazyListScope
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.Scaffold
import androidx.compose.material3.Surface
import androidx.compose.material3.Text
import androidx.compose.material3.TextButton
import androidx.compose.runtime.Composable
import androidx.compose.ui.Alignment
import androidx.compose.ui.Modifier
import androidx.compose.ui.semantics.contentDescription
import androidx.compose.ui.semantics.heading
import androidx.compose.ui.semantics.semantics
import androidx.compose.ui.text.style.TextOverflow
import androidx.compose.ui.unit.dp
import org.nightround.app.ui.theme.Dimens

/**
 * Every screen's frame: a title bar with Back and the always-visible quick
 * exit, a scrolling body, and the primary actions pinned at the bottom,
 * within thumb reach and above the keyboard.
 */
@Composable
fun ScreenFrame(
    title: String,
    onQuickExit: () -> Unit,
    onBack: (() -> Unit)? = null,
    bottom: (@Composable ColumnScope.() -> Unit)? = null,
    content: LazyListScope.() -> Unit,
) {
    Scaffold(
        contentWindowInsets = WindowInsets(0, 0, 0, 0),
        containerColor = MaterialTheme.colorScheme.background,
        topBar = { TitleBar(title, onBack, onQuickExit) },
        bottomBar = {
            if (bottom != null) {
                Surface(color = MaterialTheme.colorScheme.surfaceContainerLow, tonalElevation = 2.dp) {
                    Column(
                        modifier = Modifier
                            .fillMaxWidth()
                            .navigationBarsPadding()
                            .imePadding()
                            .padding(Dimens.Edge),
                        verticalArrangement = Arrangement.spacedBy(Dimens.Gap),
                        content = bottom,
                    )
                }
            }
        },
    ) { padding ->
        LazyColumn(
            modifier = Modifier
                .fillMaxSize()
                .then(if (bottom == null) Modifier.navigationBarsPadding().imePadding() else Modifier),
            contentPadding = PaddingValues(
                start = Dimens.Edge,
                end = Dimens.Edge,
                top = padding.calculateTopPadding() + 8.dp,
                bottom = padding.calculateBottomPadding() + Dimens.Edge,
            ),
            verticalArrangement = Arrangement.spacedBy(Dimens.Gap),
            content = content,
        )
    }
}

@Composable
private fun TitleBar(title: String, onBack: (() -> Unit)?, onQuickExit: () -> Unit) {
    Surface(color = MaterialTheme.colorScheme.background) {
        Row(
            modifier = Modifier
                .fillMaxWidth()
                .statusBarsPadding()
                .padding(horizontal = 8.dp, vertical = 4.dp),
            verticalAlignment = Alignment.CenterVertically,
        ) {
            if (onBack != null) {
                TextButton(
                    onClick = onBack,
                    modifier = Modifier
                        .heightIn(min = Dimens.Touch)
                        .semantics { contentDescription = "Back" },
                ) { Text("Back", style = MaterialTheme.typography.labelLarge) }
            }
            Text(
                text = title,
                style = MaterialTheme.typography.titleLarge,
                maxLines = 1,
                overflow = TextOverflow.Ellipsis,
                modifier = Modifier
                    .weight(1f)
                    .padding(horizontal = 8.dp)
                    .semantics { heading() },
            )
            QuickExitButton(onQuickExit)
        }
    }
}
