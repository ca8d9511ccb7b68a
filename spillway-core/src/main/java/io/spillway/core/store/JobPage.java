package io.spillway.core.store;

import io.spillway.core.Job;
import java.util.List;

/** One page of a listing; {@code nextAfterId} is null on the last page. */
public record JobPage(List<Job> jobs, String nextAfterId) {
    public JobPage {
        jobs = List.copyOf(jobs);
    }
}
