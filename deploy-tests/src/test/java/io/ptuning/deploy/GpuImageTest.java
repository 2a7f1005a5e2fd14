package io.ptuning.deploy;

import static io.ptuning.deploy.ComposeFileTest.map;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The trainer's GPU image ({@code Dockerfile.gpu}) holds a libtorch that DJL will take without downloading: the
 * version DJL binds, the CUDA flavour whose JNI pytorch-jni carries, on the paths the image sets. No Docker engine
 * or GPU is needed: these are the settings a build and a start depend on.
 */
class GpuImageTest {

    private static final Pattern ENV = Pattern.compile("(?m)^\\s*(?:ENV\\s+)?([A-Z_]+)=(\\S+|\"[^\"]*\")\\s*\\\\?$");
    private static final Pattern ARG = Pattern.compile("(?m)^ARG ([A-Z_]+)=(\\S+)$");

    private static String dockerfile;
    private static Map<String, String> env;
    private static Map<String, String> args;

    @BeforeAll
    static void read() throws IOException {
        dockerfile = Files.readString(PipelineRepository.file("trainer-service/src/main/docker/Dockerfile.gpu"));
        env = matches(ENV, dockerfile);
        args = matches(ARG, dockerfile);
    }

    @Test
    void installsTheLibtorchVersionDjlBinds() throws IOException {
        String pom = Files.readString(PipelineRepository.file("pom.xml"));
        Matcher pinned = Pattern.compile("<pytorch.version>([^<]+)</pytorch.version>").matcher(pom);
        assertThat(pinned.find()).isTrue();
        assertThat(args).containsEntry("TORCH_VERSION", pinned.group(1));
        assertThat(env).containsEntry("PYTORCH_VERSION", pinned.group(1));
        assertThat(dockerfile).contains("\"torch==${TORCH_VERSION}+${CUDA_FLAVOR}\"")
                .contains("download.pytorch.org/whl/${CUDA_FLAVOR}")
                .contains("torch.compiled_with_cxx11_abi()");
    }

    @Test
    void theCudaFlavourIsOneWhoseJniDjlShips() {
        String flavor = env.get("PYTORCH_FLAVOR");
        assertThat(flavor).isEqualTo(args.get("CUDA_FLAVOR")).startsWith("cu");
        assertThat(getClass().getResource("/jnilib/linux-x86_64/" + flavor + "/libdjl_torch.so"))
                .as("pytorch-jni's JNI for %s", flavor).isNotNull();
    }

    @Test
    void djlFindsLibtorchAndTheCudaRuntimeWhereTheBuildStagePutThem() {
        assertThat(dockerfile).contains("mv /wheel/torch /opt/libtorch/torch && mv /wheel/nvidia /opt/libtorch/nvidia")
                .contains("COPY --from=libtorch --chown=185 /opt/libtorch/ /opt/libtorch/");
        assertThat(env).containsEntry("PYTORCH_LIBRARY_PATH", "/opt/libtorch/torch/lib")
                .containsEntry("LD_LIBRARY_PATH", "/opt/libtorch/nvidia/cuda_runtime/lib");
        assertThat(dockerfile).contains("ln -s libcudart.so.12 /opt/libtorch/nvidia/cuda_runtime/lib/libcudart.so");
        assertThat(env.get("JAVA_OPTS_APPEND")).contains("-Dai.djl.offline=true");
    }

    @Test
    void composeAndTheGpuOverlayRunTheGpuImageAndTheCpuOverridesTheCpuOne() throws IOException {
        Map<String, Object> trainer = map(map(ComposeFileTest.load("docker-compose.yml"), "services"), "trainer-service");
        assertThat(trainer.get("image")).isEqualTo("ptuning/trainer-service-gpu:" + PipelineRepository.IMAGE_TAG);
        assertThat(map(trainer, "build")).containsEntry("dockerfile", "src/main/docker/Dockerfile.gpu");
        assertThat(map(trainer, "environment")).doesNotContainKey("PYTORCH_LIBRARY_PATH");

        Map<String, Object> cpu = map(map(ComposeFileTest.load("deploy/compose/cpu.yml"), "services"), "trainer-service");
        assertThat(cpu.get("image")).isEqualTo("ptuning/trainer-service:" + PipelineRepository.IMAGE_TAG);
        assertThat(map(cpu, "build")).containsEntry("dockerfile", "src/main/docker/Dockerfile.jvm");

        String overlay = Files.readString(PipelineRepository.file("deploy/k8s/overlays/gpu/kustomization.yaml"));
        assertThat(overlay).containsPattern(
                "- name: ptuning/trainer-service\\s+newName: ptuning/trainer-service-gpu\\s+newTag: "
                        + Pattern.quote(PipelineRepository.IMAGE_TAG));
    }

    private static Map<String, String> matches(Pattern pattern, String text) {
        Map<String, String> found = new LinkedHashMap<>();
        Matcher m = pattern.matcher(text);
        while (m.find()) {
            found.put(m.group(1), m.group(2).replaceAll("^\"|\"$", ""));
        }
        return found;
    }
}
