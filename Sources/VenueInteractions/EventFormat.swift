/// The event file formats VenueKit reads.
public enum EventFormat: String, Sendable, CaseIterable, CustomStringConvertible {
    /// `shopper,brand,event,time[,count]` with a header naming the columns (any order);
    /// events click, favorite, follow, cart, purchase; time as `YYYY-MM-DD`, ISO-8601 or Unix seconds.
    case generic
    /// Pre-aggregated `shopper,brand,weight`, header optional (the anchors' CSVs have none).
    case weights
    /// Tmall 2014 brand contest: `user_id,brand_id,type,visit_datetime`; type 0 click, 1 buy,
    /// 2 favourite, 3 cart; date `M-D` in the year given by ``EventReader/Options/year`` (default 2014).
    case tmall2014
    /// IJCAI-15 `user_log_format1`: columns found by header name (a leading pandas index column
    /// and float brand ids such as `2661.0` are accepted); action 0 click, 1 cart, 2 purchase,
    /// 3 favourite; time `MMDD` in the given year (default 2015).
    case ijcai15
    /// Last.fm HetRec `user_artists.dat`: `userID<TAB>artistID<TAB>weight` (play counts), header optional.
    case lastfm
    /// MovieLens `u.data`: `user<TAB>item<TAB>rating<TAB>timestamp`, no header; every rating is an
    /// interaction with the rating as its strength.
    case movielens

    /// The format's name, as `--format` takes it.
    public var description: String { rawValue }

    /// Whether the format's dates carry no year, so a year must be assumed (``defaultYear``).
    public var datesOmitYear: Bool { self == .tmall2014 || self == .ijcai15 }

    /// The year assumed for formats whose dates carry none.
    public var defaultYear: Int {
        switch self {
        case .ijcai15: 2015
        default: 2014
        }
    }
}
