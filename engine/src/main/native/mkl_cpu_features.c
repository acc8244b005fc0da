/*
 * gaplab: let the Intel MKL inside libtorch choose its kernels by CPU features on every x86-64 CPU.
 *
 * MKL decides which kernels to run (generic SSE2 code, AVX2, AVX-512, ...) only after asking
 * whether the processor is made by Intel. libtorch's CPU build links MKL statically and exports
 * that question as the function below; on an AMD processor it answers no and MKL runs its
 * generic branch, about half the speed of the AVX2/AVX-512 branch the processor supports.
 *
 * This library defines the same function and answers yes. gaplab opens it with RTLD_GLOBAL
 * before libtorch is loaded, so the dynamic linker binds libtorch's call to this definition; MKL
 * then checks the processor's feature flags (CPUID) as it does on an Intel processor and picks the
 * widest branch the processor has. Nothing else changes. See MklCpuFeatures.java.
 */
int mkl_serv_intel_cpu_true(void) {
    return 1;
}
