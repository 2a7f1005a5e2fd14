package io.ptuning.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Opening a work folder: what makes one, what is refused with what reason, and that a refusal leaves it as it was. */
class WorkFolderTest {

    @Test
    void aNewFolderBecomesAnOwnerOnlyWorkFolderWithItsFormat(@TempDir Path parent) throws Exception {
        Path dir = parent.resolve("runs");
        try (WorkFolder work = WorkFolder.open(dir)) {
            assertThat(work.isNew()).isTrue();
            assertThat(Files.readString(dir.resolve(WorkFolder.MARKER))).contains("format=" + WorkFolder.FORMAT);
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir))).isEqualTo("rwx------");
        }
        try (WorkFolder reopened = WorkFolder.open(dir)) {
            assertThat(reopened.isNew()).as("opened again, it holds runs").isFalse();
        }
    }

    @Test
    void aFolderInUseByAnotherLauncherIsRefusedNamingTheHolder(@TempDir Path dir) {
        try (WorkFolder first = WorkFolder.open(dir)) {
            assertThatThrownBy(() -> WorkFolder.open(dir)).isInstanceOf(WorkFolder.Refused.class)
                    .hasMessageContaining("in use by a running launcher")
                    .hasMessageContaining("pid " + ProcessHandle.current().pid());
        }
        WorkFolder.open(dir).close(); // released with its holder
    }

    @Test
    void aFolderThatIsNotAWorkFolderIsRefusedAndLeftUntouched(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("thesis.tex"), "precious");
        assertThatThrownBy(() -> WorkFolder.open(dir)).isInstanceOf(WorkFolder.Refused.class)
                .hasMessageContaining("is not a work folder of this launcher").hasMessageContaining(dir.toString());
        try (var entries = Files.list(dir)) {
            assertThat(entries).containsExactly(dir.resolve("thesis.tex"));
        }
    }

    @Test
    void aFolderMadeByANewerLauncherIsRefused(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve(WorkFolder.MARKER), "format=" + (WorkFolder.FORMAT + 1) + "\n");
        assertThatThrownBy(() -> WorkFolder.open(dir)).isInstanceOf(WorkFolder.Refused.class)
                .hasMessageContaining("made by a newer launcher (work folder format " + (WorkFolder.FORMAT + 1));
        assertThat(dir.resolve(".lock")).doesNotExist();
    }

    @Test
    void aFolderOfTheLauncherBeforeWorkFoldersIsRefusedWithTheReason(@TempDir Path dir) throws Exception {
        Files.createDirectories(dir.resolve("kafka/logs"));
        Files.createDirectories(dir.resolve("security"));
        assertThatThrownBy(() -> WorkFolder.open(dir)).isInstanceOf(WorkFolder.Refused.class)
                .hasMessageContaining("made by an earlier version of the launcher");
    }

    @Test
    void serveAndLoginRefuseAFolderWithoutRuns(@TempDir Path parent) {
        assertThatThrownBy(() -> WorkFolder.requireExisting(parent.resolve("absent")))
                .isInstanceOf(WorkFolder.Refused.class).hasMessageContaining("there are no runs in");
        assertThat(parent.resolve("absent")).doesNotExist();
    }

    @Test
    void aDiskWithTooLittleSpaceLeftStopsThePipelineSayingWhatToDo(@TempDir Path dir) {
        DiskSpace.requireFree(dir, 1);
        assertThatThrownBy(() -> DiskSpace.requireFree(dir, Long.MAX_VALUE))
                .isInstanceOf(DiskSpace.DiskFullException.class)
                .hasMessageContaining(dir.toString())
                .hasMessageContaining("run the same command again: the run resumes from its last checkpoint");
    }

    @Test
    void theLoginIsShownWhileTheFolderIsInUseAndResetOnlyWhenItIsNot(@TempDir Path dir) throws Exception {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        String password;
        try (WorkFolder work = WorkFolder.open(dir)) {
            password = LocalCredentials.keptIn(work.security()).password();
            assertThat(LoginCommand.run(new String[] {"--work", dir.toString()}, new java.io.PrintStream(out, true)))
                    .isZero();
            assertThat(out.toString()).contains("password " + password);
            assertThat(LoginCommand.run(new String[] {"--work", dir.toString(), "--reset"}, System.out))
                    .as("refused: the folder is in use").isEqualTo(2);
        }
        assertThat(LoginCommand.run(new String[] {"--work", dir.toString(), "--reset"}, System.out)).isZero();
        assertThat(LocalCredentials.read(dir.resolve("security")).password()).isNotEqualTo(password);
    }

    @Test
    void theLoginIsKeptInTheFolderOwnerOnlyAndCanBeReset(@TempDir Path dir) throws Exception {
        LocalCredentials first = LocalCredentials.keptIn(dir);
        assertThat(LocalCredentials.keptIn(dir).password()).isEqualTo(first.password());
        for (String file : new String[] {LocalCredentials.LOGIN_FILE, LocalCredentials.USERS_FILE}) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve(file))))
                    .as(file).isEqualTo("rw-------");
        }
        LocalCredentials reset = LocalCredentials.reset(dir);
        assertThat(reset.password()).isNotEqualTo(first.password());
        assertThat(LocalCredentials.keptIn(dir).password()).isEqualTo(reset.password());
        assertThat(Files.readString(dir.resolve(LocalCredentials.USERS_FILE)))
                .contains(LocalCredentials.digest(LocalCredentials.USER, reset.password()))
                .doesNotContain(reset.password());
    }
}
