package io.stemedb.bench.jmh;

import com.sun.management.OperatingSystemMXBean;
import java.lang.management.ManagementFactory;
import java.util.Collection;
import java.util.List;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.profile.InternalProfiler;
import org.openjdk.jmh.results.AggregationPolicy;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.ScalarResult;

/**
 * A JMH profiler that reports the benchmark process's CPU time per operation
 * ({@code cpu.time.norm}, ns/op): {@code -prof io.stemedb.bench.jmh.CpuTimeProfiler}. On a machine
 * shared with other work, the wall time per operation that JMH scores includes the time the
 * benchmark thread waited for a core; CPU time does not, so it compares runs made under different
 * loads better. It counts every thread of the process (the benchmark threads, and the JIT
 * compiler and collector, which are nearly idle once warmed up). One instance per run; used by
 * JMH's control thread only.
 */
public final class CpuTimeProfiler implements InternalProfiler {
    private final OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    private long before;

    @Override
    public String getDescription() {
        return "process CPU time per operation";
    }

    @Override
    public void beforeIteration(BenchmarkParams benchmarkParams, IterationParams iterationParams) {
        before = os.getProcessCpuTime();
    }

    @Override
    public Collection<? extends Result> afterIteration(BenchmarkParams benchmarkParams, IterationParams iterationParams,
            IterationResult result) {
        long ops = result.getMetadata().getAllOps();
        double nanos = os.getProcessCpuTime() - before;
        return List.of(new ScalarResult("cpu.time.norm", ops == 0 ? Double.NaN : nanos / ops, "ns/op", AggregationPolicy.AVG));
    }
}
