package io.ptuning.launcher;

import java.io.IOException;
import java.net.ServerSocket;

/** Ports the OS reports free, so a test run never collides with services a developer has running. */
final class FreePorts {

    private FreePorts() {}

    static int one() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    static int[] three() throws IOException {
        try (ServerSocket a = new ServerSocket(0); ServerSocket b = new ServerSocket(0); ServerSocket c = new ServerSocket(0)) {
            return new int[] {a.getLocalPort(), b.getLocalPort(), c.getLocalPort()};
        }
    }
}
