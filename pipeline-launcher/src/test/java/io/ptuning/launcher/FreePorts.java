package io.ptuning.launcher;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Ports the OS reports free, so a test run never collides with services a developer has running. They are drawn
 * below Linux's ephemeral range (32768-60999 by default): a port the OS handed out (port 0) is one that the local end
 * of any new outgoing connection (a Kafka client's, say) may take a moment later, and a service that binds it then
 * fails with "port in use" (seen for a second trainer's port, the first trainer's plus one).
 */
final class FreePorts {

    private static final int LOWEST = 20_000;
    private static final int BELOW_EPHEMERAL = 32_000;

    private FreePorts() {}

    static int one() throws IOException {
        return consecutive(1);
    }

    /** Three free ports, not necessarily adjacent. */
    static int[] three() throws IOException {
        int[] ports = new int[3];
        for (int i = 0; i < ports.length; i++) {
            int port;
            do {
                port = one();
            } while (i > 0 && (port == ports[0] || port == ports[1]));
            ports[i] = port;
        }
        return ports;
    }

    /** The first of {@code count} adjacent free ports (the launcher gives trainer i the trainers' port plus i). */
    static int consecutive(int count) throws IOException {
        for (int attempt = 0; attempt < 1000; attempt++) {
            int first = ThreadLocalRandom.current().nextInt(LOWEST, BELOW_EPHEMERAL - count);
            boolean allFree = true;
            for (int port = first; port < first + count && allFree; port++) {
                allFree = isFree(port);
            }
            if (allFree) {
                return first;
            }
        }
        throw new IOException("no " + count + " adjacent free ports between " + LOWEST + " and " + BELOW_EPHEMERAL);
    }

    private static boolean isFree(int port) {
        try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getByName("127.0.0.1"))) {
            return true;
        } catch (IOException inUse) {
            return false;
        }
    }
}
